package core

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Constraint is AWS's wording for a request member that breaks the model's constraints, as the
// awsJson services (CloudWatch Logs, CloudTrail, KMS) answer it.
func Constraint(value any, member, rule string) *wire.APIError {
	return wire.Errorf("InvalidParameterException",
		fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must %s", value, member, rule))
}

// PageToken makes an opaque page token for a listing that resumes after key.
func PageToken(listing, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + listing + "|" + key))
}

// ReadPageToken returns the key a token resumes after; ok is false if the token is not one this
// listing issued.
func ReadPageToken(listing, token string) (key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	rest, found := strings.CutPrefix(string(b), "v1|"+listing+"|")
	return rest, found
}

// ParseLogGroupARN splits arn:aws:logs:<region>:<account>:log-group:<name>[:*] into region and
// name; ok is false for any other ARN.
func ParseLogGroupARN(arn string) (region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[3] == "" || parts[5] != "log-group" {
		return "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	if name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return parts[3], name, true
}
