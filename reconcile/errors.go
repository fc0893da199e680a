package reconcile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
)

// TerminalError marks an error that retrying cannot fix: an invalid spec, a validation error from
// AWS, access denied. The daemon waits for a spec change instead of backing off and retrying.
type TerminalError struct {
	Err error
	// Invalid says the configuration itself is wrong (exit code 3), not the account's answer.
	Invalid bool
}

func (e *TerminalError) Error() string { return e.Err.Error() }
func (e *TerminalError) Unwrap() error { return e.Err }

// IsTerminal reports whether err is terminal: a TerminalError, or an AWS error code that says the
// request can never succeed as sent. Joined errors are terminal only when every one of them is, so
// that one transient failure among them still gets a retry.
func IsTerminal(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := err.(*TerminalError); ok {
		return true
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		for _, e := range errs {
			if !IsTerminal(e) {
				return false
			}
		}
		return len(errs) > 0
	}
	if ae, ok := err.(smithy.APIError); ok {
		return terminalCode(ae.ErrorCode())
	}
	return IsTerminal(errors.Unwrap(err))
}

// terminalCode: access and validation errors. Conflicts and not-found are not terminal: someone
// may create or delete the resource in the meantime.
func terminalCode(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation",
		"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
		"ValidationError", "ValidationException", "InvalidParameterValue", "InvalidParameterCombination",
		"MissingParameter", "InvalidParameter", "InvalidParameterException", "ParameterValueInvalid",
		"InvalidTrailNameException", "InvalidCloudWatchLogsLogGroupArnException",
		"InvalidCloudWatchLogsRoleArnException", "S3BucketDoesNotExistException",
		"InsufficientS3BucketPolicyException", "InvalidEventSelectorsException",
		"InvalidParameterCombinationException", "InvalidHomeRegionException":
		return true
	}
	return awsclient.IsQuotaCode(code) // a quota holds until the spec asks for less
}

// isNotFound maps every service's "no such resource" error to one answer. Each service spells it
// differently: CloudWatch ResourceNotFound(Exception), Logs ResourceNotFoundException, SNS NotFound,
// CloudTrail TrailNotFoundException.
func isNotFound(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ResourceNotFound", "ResourceNotFoundException", "NotFound", "NotFoundException",
		"TrailNotFoundException":
		return true
	}
	return strings.HasSuffix(ae.ErrorCode(), "NotFoundException")
}

// ignoreNotFound is nil for nil or a "no such resource" error — a resource already gone counts as
// deleted — and otherwise err wrapped with what was being done.
func ignoreNotFound(err error, format string, args ...any) error {
	if err == nil || isNotFound(err) {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// consequenceError is an error that follows from another step's error, already reported: it marks
// its own line failed without being counted, or judged terminal or not, a second time.
type consequenceError struct{ err error }

func (e consequenceError) Error() string { return e.err.Error() }
func (e consequenceError) Unwrap() error { return e.err }

func consequence(err error) error { return consequenceError{err} }
