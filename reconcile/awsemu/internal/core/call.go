package core

import (
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// OpFunc handles one operation. It runs with the emulator's lock held, so it may read and change
// any service's state through the World without locking.
type OpFunc func(c *Call) (any, error)

// Call is one request as a handler sees it.
type Call struct {
	Service   string
	Op        string
	Region    string
	AccessKey string
	Principal Principal
	Now       time.Time
	RequestID string
	// In is the request as the wire layer's generic tree; handlers read it with Decode.
	In any
	// Audit holds service-specific CloudTrail record fields that the handler adds or replaces
	// (KMS: resources, requestParameters with encryptionAlgorithm, additionalEventData).
	Audit map[string]any
	// Wire is the request as read, for restXml handlers that need its headers and payload;
	// nil for calls made without HTTP (benchmarks).
	Wire *wire.Request
}

// Account is the account the call is made in: its principal's. Services that keep each
// account's resources apart (World.PerAccount) build ARNs and scope lookups with it.
func (c *Call) Account() string { return c.Principal.Account }

// Decode fills a typed input struct from the request, for any protocol. A malformed member is
// reported as the service's validation error.
func (c *Call) Decode(out any) error {
	if err := wire.Decode(c.In, out); err != nil {
		return c.Validation(err.Error())
	}
	return nil
}

// Validation is the service's own shape for a malformed or invalid request.
func (c *Call) Validation(msg string) *wire.APIError {
	switch c.Service {
	case "cloudwatch":
		return &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue", Message: msg}
	case "sns":
		return &wire.APIError{Type: "InvalidParameterException", Code: "InvalidParameter", Message: "Invalid parameter: " + msg}
	case "logs":
		return wire.Errorf("InvalidParameterException", msg)
	case "cloudtrail":
		return wire.Errorf("InvalidParameterException", msg)
	case "kms":
		return wire.Errorf("ValidationException", msg)
	case "s3":
		return wire.Errorf("InvalidArgument", msg)
	}
	return wire.Errorf("ValidationException", msg)
}
