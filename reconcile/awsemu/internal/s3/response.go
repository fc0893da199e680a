package s3

import (
	"encoding/xml"
	"net/http"
)

// response is an S3 answer that writes itself: a status, headers (ETag, x-amz-version-id…) and
// the payload, if any.
type response struct {
	status int
	header http.Header
	body   []byte
}

// WriteHTTP writes the response as S3 would.
func (r *response) WriteHTTP(w http.ResponseWriter) {
	for k, vs := range r.header {
		w.Header()[k] = vs
	}
	if r.body == nil && r.header.Get("Content-Length") == "" {
		w.Header().Set("Content-Length", "0")
	}
	w.WriteHeader(r.status)
	if r.body != nil {
		_, _ = w.Write(r.body)
	}
}

// setVersion sets x-amz-version-id, which S3 answers only for an object in a bucket that has
// had versioning enabled.
func (r *response) setVersion(id string) {
	if id != "" {
		r.header.Set("X-Amz-Version-Id", id)
	}
}

// xmlNS is the namespace of S3's XML documents.
const xmlNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// xmlResponse answers 200 with doc as S3's XML.
func xmlResponse(doc any) (*response, error) {
	b, err := xml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	body := append([]byte(xml.Header), b...)
	return &response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/xml"}}, body: body}, nil
}
