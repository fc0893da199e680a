package awsemu

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

func (e *APIError) Error() string { return e.queryCode() + ": " + e.Message }

func (e *APIError) queryCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Type
}

func (e *APIError) status() int {
	if e.Status != 0 {
		return e.Status
	}
	if e.Receiver {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// errorf builds a 400 sender error of the given shape.
func errorf(shape, msg string) *APIError {
	return &APIError{Type: shape, Message: msg}
}

// notFound builds a 404 error of the given shape, the status AWS gives its not-found errors.
func notFound(shape, msg string) *APIError {
	return &APIError{Type: shape, Message: msg, Status: http.StatusNotFound}
}
