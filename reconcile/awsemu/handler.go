package awsemu

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// protocol is the wire protocol a request arrived in; the response is written in the same one.
type protocol int

const (
	protoJSON  protocol = iota // awsJson1_0 / awsJson1_1: X-Amz-Target, JSON body
	protoQuery                 // awsQuery: form body with Action and Version, XML reply
	protoCBOR                  // Smithy RPC v2 CBOR: /service/<Shape>/operation/<Op>
)

// maxBody bounds a request body; AWS's largest here is PutLogEvents at 1 MiB (plus overhead).
const maxBody = 2 << 20

// jsonTargets maps an X-Amz-Target prefix to the service it names.
var jsonTargets = map[string]string{
	"Logs_20140328":                     "logs",
	"CloudTrail_20131101":               "cloudtrail",
	"TrentService":                      "kms",
	"GraniteServiceVersion20100801":     "cloudwatch",
	"ResourceGroupsTaggingAPI_20170126": "tagging",
}

// queryVersions maps an awsQuery Version to its service.
var queryVersions = map[string]string{
	"2010-03-31": "sns",
	"2010-08-01": "cloudwatch",
}

const cborPrefix = "/service/GraniteServiceVersion20100801/operation/"

// ServeHTTP answers one AWS API request in the protocol it was made in.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	body, err := readBody(r)
	if err != nil {
		writeRaw(w, http.StatusBadRequest, "text/plain", []byte(err.Error()))
		return
	}
	c := &call{e: e, RequestID: rid}
	c.Region, c.AccessKey = sigV4Scope(r.Header.Get("Authorization"))
	var proto protocol
	switch {
	case strings.HasPrefix(r.URL.Path, cborPrefix):
		proto, c.Service, c.Op = protoCBOR, "cloudwatch", strings.TrimPrefix(r.URL.Path, cborPrefix)
		c.in, err = decodeCBOR(body)
	case r.Header.Get("X-Amz-Target") != "":
		prefix, op := splitTarget(r.Header.Get("X-Amz-Target"))
		proto, c.Service, c.Op = protoJSON, jsonTargets[prefix], op
		c.in, err = decodeJSON(body)
	default:
		// A form body is awsQuery even when it does not parse: the error is answered in XML.
		proto = protoQuery
		var form url.Values
		form, err = url.ParseQuery(string(body))
		if err == nil {
			c.Service, c.Op = queryVersions[form.Get("Version")], form.Get("Action")
			c.in, err = decodeQuery(form)
		}
	}
	if err != nil {
		e.writeError(w, proto, c, &APIError{Type: "SerializationException", Message: "could not read the request: " + err.Error()})
		return
	}
	out, apiErr := e.dispatch(c)
	if apiErr != nil {
		e.writeError(w, proto, c, apiErr)
		return
	}
	tree := toTree(out)
	switch proto {
	case protoCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		writeRaw(w, http.StatusOK, "application/cbor", encodeCBOR(tree))
	case protoJSON:
		w.Header().Set("X-Amzn-Requestid", rid)
		writeRaw(w, http.StatusOK, r.Header.Get("Content-Type"), encodeJSON(tree))
	case protoQuery:
		writeRaw(w, http.StatusOK, "text/xml", encodeQueryResponse(c.Op, xmlNamespace(c.Service), tree, rid))
	}
}

// dispatch runs the handler under the emulator's lock, after fault injection, counting the call
// and turning it into a CloudTrail record.
func (e *Emulator) dispatch(c *call) (any, *APIError) {
	// e.inject is read under the lock (injectFault): a test may install it while the server
	// goroutines are serving.
	if delay, ferr := e.injectFault(c); delay > 0 || ferr != nil {
		if delay > 0 {
			time.Sleep(delay)
		}
		if ferr != nil {
			e.mu.Lock()
			e.stats.record(c, ferr)
			e.mu.Unlock()
			return nil, ferr
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c.Now = e.now
	if c.Region == "" {
		c.Region = e.region
	}
	c.Principal = e.principalFor(c.AccessKey)
	var (
		out    any
		apiErr *APIError
	)
	ops := e.ops[c.Service]
	f := ops[c.Op]
	switch {
	case c.Service == "":
		apiErr = &APIError{Type: "UnknownOperationException", Message: "no service answers this request"}
	case f == nil:
		apiErr = &APIError{Type: "UnknownOperationException", Code: "InvalidAction", Message: fmt.Sprintf("%s does not implement %s", c.Service, c.Op)}
	default:
		var err error
		out, err = f(c)
		if err != nil {
			apiErr = asAPIError(err)
		}
	}
	e.stats.record(c, apiErr)
	e.auditCall(c, apiErr)
	return out, apiErr
}

// injectFault consults the fault injector without holding the lock during a delay.
func (e *Emulator) injectFault(c *call) (time.Duration, *APIError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inject == nil {
		return 0, nil
	}
	return e.inject(c)
}

func asAPIError(err error) *APIError {
	if ae, ok := err.(*APIError); ok {
		return ae
	}
	return &APIError{Type: "InternalFailure", Code: "InternalFailure", Message: err.Error(), Receiver: true}
}

func (e *Emulator) writeError(w http.ResponseWriter, proto protocol, c *call, ae *APIError) {
	switch proto {
	case protoCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		fault := "Sender"
		if ae.Receiver {
			fault = "Receiver"
		}
		// CloudWatch is awsQueryCompatible: the SDK takes ErrorCode() from this header.
		w.Header().Set("X-Amzn-Query-Error", ae.queryCode()+";"+fault)
		// CBOR members match exactly: some shapes model "message" (ResourceNotFound), others
		// "Message" (ResourceNotFoundException, InternalServiceFault). Send both, so every
		// typed error carries its ErrorMessage(); the SDK skips the key its shape lacks.
		writeRaw(w, ae.status(), "application/cbor", encodeCBOR(map[string]any{"__type": ae.Type, "message": ae.Message, "Message": ae.Message}))
	case protoJSON:
		if c.Service == "cloudwatch" {
			fault := "Sender"
			if ae.Receiver {
				fault = "Receiver"
			}
			w.Header().Set("X-Amzn-Query-Error", ae.queryCode()+";"+fault)
		}
		w.Header().Set("X-Amzn-Requestid", c.RequestID)
		writeRaw(w, ae.status(), "application/x-amz-json-1.1", encodeJSON(map[string]any{"__type": ae.Type, "message": ae.Message}))
	default:
		writeRaw(w, ae.status(), "text/xml", encodeQueryError(ae, c.RequestID))
	}
}

// splitTarget splits X-Amz-Target into the service prefix and the operation. The SDKs send
// "CloudTrail_20131101.GetTrail"; botocore (AWS CLI v1) sends CloudTrail's fully qualified
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail", so the prefix is the
// segment just before the operation.
func splitTarget(target string) (prefix, op string) {
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return target, ""
	}
	prefix, op = target[:i], target[i+1:]
	return prefix[strings.LastIndexByte(prefix, '.')+1:], op
}

func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = io.LimitReader(r.Body, maxBody+1)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer gz.Close()
		rd = io.LimitReader(gz, maxBody+1)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("request body over %d bytes", maxBody)
	}
	return b, nil
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sigV4Scope reads region and access key from "AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, ...".
func sigV4Scope(auth string) (region, accessKey string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[2], parts[0]
}

func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeJSON writes the tree as AWS JSON: timestamps as epoch seconds, blobs as base64.
func encodeJSON(tree any) []byte {
	b, err := json.Marshal(jsonReady(tree))
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

func jsonReady(tree any) any {
	switch v := tree.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonReady(x)
		}
		return out
	case dict:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonReady(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonReady(x)
		}
		return out
	case time.Time:
		return json.Number(fmt.Sprintf("%.3f", float64(v.UnixMilli())/1e3))
	}
	return tree
}
