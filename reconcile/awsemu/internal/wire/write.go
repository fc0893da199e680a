package wire

import (
	"net/http"
	"strings"
)

// Response is a handler output that writes its own HTTP response: a restXml operation's status,
// headers (ETag, Last-Modified…) and payload are its own, not a serialized structure.
type Response interface {
	WriteHTTP(w http.ResponseWriter)
}

// WriteResult answers req with a handler's typed output, in req's protocol.
func (rt *Router) WriteResult(w http.ResponseWriter, req *Request, requestID string, out any) {
	if resp, ok := out.(Response); ok {
		w.Header().Set("X-Amz-Request-Id", requestID)
		resp.WriteHTTP(w)
		return
	}
	tree := ToTree(out)
	switch req.Protocol {
	case CBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		writeRaw(w, http.StatusOK, "application/cbor", EncodeCBOR(tree))
	case JSON:
		w.Header().Set("X-Amzn-Requestid", requestID)
		writeRaw(w, http.StatusOK, req.HTTP.Header.Get("Content-Type"), EncodeJSON(tree))
	case Query:
		ns := ""
		if ep := rt.byService[req.Service]; ep != nil {
			ns = ep.QueryNamespace
		}
		writeRaw(w, http.StatusOK, "text/xml", EncodeQueryResponse(req.Op, ns, tree, requestID))
	case RESTXML:
		// A restXml operation without a payload of its own answers 200 with no body.
		w.Header().Set("X-Amz-Request-Id", requestID)
		writeRaw(w, http.StatusOK, "", nil)
	}
}

// WriteError answers req with ae, in req's protocol and AWS's error shape for it.
func (rt *Router) WriteError(w http.ResponseWriter, req *Request, requestID string, ae *APIError) {
	queryCompatible := false
	if ep := rt.byService[req.Service]; ep != nil {
		queryCompatible = ep.QueryCompatible
	}
	switch req.Protocol {
	case CBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		// CloudWatch is awsQueryCompatible: the SDK takes ErrorCode() from this header.
		w.Header().Set("X-Amzn-Query-Error", ae.QueryCode()+";"+ae.fault())
		// CBOR members match exactly: some shapes model "message" (ResourceNotFound), others
		// "Message" (ResourceNotFoundException, InternalServiceFault). Send both, so every
		// typed error carries its ErrorMessage(); the SDK skips the key its shape lacks.
		writeRaw(w, ae.HTTPStatus(), "application/cbor", EncodeCBOR(map[string]any{"__type": ae.Type, "message": ae.Message, "Message": ae.Message}))
	case JSON:
		if queryCompatible {
			w.Header().Set("X-Amzn-Query-Error", ae.QueryCode()+";"+ae.fault())
		}
		w.Header().Set("X-Amzn-Requestid", requestID)
		writeRaw(w, ae.HTTPStatus(), "application/x-amz-json-1.1", EncodeJSON(map[string]any{"__type": ae.Type, "message": ae.Message}))
	case RESTXML:
		w.Header().Set("X-Amz-Request-Id", requestID)
		var body []byte
		// A HEAD answer and a 304 have no body: the SDK derives the code from the status.
		if req.HTTP.Method != http.MethodHead && ae.HTTPStatus() != http.StatusNotModified {
			body = EncodeRESTXMLError(ae, requestID)
		}
		writeRaw(w, ae.HTTPStatus(), "application/xml", body)
	default:
		writeRaw(w, ae.HTTPStatus(), "text/xml", EncodeQueryError(ae, requestID))
	}
}

// WriteUnreadable answers a request whose body could not be read at all.
func WriteUnreadable(w http.ResponseWriter, err error) {
	writeRaw(w, http.StatusBadRequest, "text/plain", []byte(err.Error()))
}

// EncodeRESTXMLError writes restXml's error document, as S3 answers:
// <Error><Code>NoSuchKey</Code><Message>…</Message><RequestId>…</RequestId></Error>.
func EncodeRESTXMLError(ae *APIError, requestID string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>`)
	xmlEscape(&b, ae.QueryCode())
	b.WriteString(`</Code><Message>`)
	xmlEscape(&b, ae.Message)
	b.WriteString(`</Message><RequestId>` + requestID + `</RequestId></Error>`)
	return []byte(b.String())
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
