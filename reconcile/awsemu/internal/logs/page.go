package logs

import "github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"

// Page tokens (core.PageToken) are opaque to clients, as AWS's are: the base64 of the listing
// they belong to and the key to resume after. A token from another listing, or one a client
// made up, is invalid.

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
func invalidLogsToken() *wire.APIError {
	return wire.Errorf("InvalidParameterException", "The specified nextToken is invalid.")
}
