package awsemu

import (
	"encoding/base64"
	"strings"
)

// Page tokens are opaque to clients, as AWS's are: the base64 of the listing they belong to and
// the key to resume after. A token from another listing, or one a client made up, is invalid.

func pageToken(listing, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + listing + "|" + key))
}

// readPageToken returns the key a token resumes after; ok is false if the token is not one this
// listing issued.
func readPageToken(listing, token string) (key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	rest, found := strings.CutPrefix(string(b), "v1|"+listing+"|")
	return rest, found
}

// pageAfter returns the index of the first of sorted keys strictly after key (binary search).
func pageAfter(sorted []string, key string) int {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := (lo + hi) / 2
		if sorted[m] <= key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// invalidLogsToken is Logs' answer to a nextToken it did not issue.
func invalidLogsToken() *APIError {
	return errorf("InvalidParameterException", "The specified nextToken is invalid.")
}
