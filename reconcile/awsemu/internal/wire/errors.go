package wire

import "net/http"

// APIError is an error as AWS returns it. Type is the error shape's name (the JSON protocols'
// __type and CBOR's __type); Code is the awsQuery code where it differs from Type (CloudWatch's
// LimitExceededFault answers "LimitExceeded" in the query protocol and in X-Amzn-Query-Error).
type APIError struct {
	Type    string
	Code    string
	Message string
	Status  int
	// Receiver marks a server-side fault (the query protocol's <Type>Receiver</Type>).
	Receiver bool
}

func (e *APIError) Error() string { return e.QueryCode() + ": " + e.Message }

// QueryCode is the code the query protocol (and CloudWatch's X-Amzn-Query-Error) carries: Code
// when set, else Type. It is also the code a call log and a CloudTrail record show.
func (e *APIError) QueryCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Type
}

// HTTPStatus is Status when set, else 500 for a receiver fault and 400 for a sender fault.
func (e *APIError) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if e.Receiver {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func (e *APIError) fault() string {
	if e.Receiver {
		return "Receiver"
	}
	return "Sender"
}

// Errorf builds a 400 sender error of the given shape.
func Errorf(shape, msg string) *APIError {
	return &APIError{Type: shape, Message: msg}
}

// NotFound builds a 404 error of the given shape, the status AWS gives its not-found errors.
func NotFound(shape, msg string) *APIError {
	return &APIError{Type: shape, Message: msg, Status: http.StatusNotFound}
}

// AsAPIError returns err as an *APIError; any other error is an InternalFailure (500), as a
// handler's unexpected failure would be on AWS.
func AsAPIError(err error) *APIError {
	if ae, ok := err.(*APIError); ok {
		return ae
	}
	return &APIError{Type: "InternalFailure", Code: "InternalFailure", Message: err.Error(), Receiver: true}
}
