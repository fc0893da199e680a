package wire

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Protocol is the wire protocol a request arrived in; the response is written in the same one.
type Protocol int

const (
	// JSON is awsJson 1.0 / 1.1: X-Amz-Target names the operation, the body is JSON.
	JSON Protocol = iota
	// Query is awsQuery: a form body with Action and Version, an XML reply.
	Query
	// CBOR is Smithy RPC v2 CBOR: POST /service/<Shape>/operation/<Op>, CBOR bodies.
	CBOR
	// RESTXML is restXml (S3's protocol): the method, path and query name the operation, headers
	// carry members, the body is the payload; the handler writes its own Response.
	RESTXML
)

// maxBody bounds a request body; AWS's largest here is PutLogEvents at 1 MiB (plus overhead).
const maxBody = 2 << 20

// Endpoint is how one service is addressed on the wire. A service fills in the fields of the
// protocols it speaks; the Router recognises its requests by them.
type Endpoint struct {
	// Service is the emulator's service id ("cloudwatch", "logs", …): the key of its handlers,
	// of call counts and of faults.
	Service string
	// JSONTarget is the X-Amz-Target prefix of awsJson requests, e.g. "Logs_20140328".
	JSONTarget string
	// QueryVersion is the awsQuery Version, e.g. "2010-03-31"; QueryNamespace the xmlns of its
	// responses.
	QueryVersion, QueryNamespace string
	// CBORShape is the Smithy service shape in an RPC v2 CBOR path, e.g.
	// "GraniteServiceVersion20100801".
	CBORShape string
	// QueryCompatible marks an awsQueryCompatible service (CloudWatch): its JSON and CBOR
	// errors carry X-Amzn-Query-Error, from which the SDK takes ErrorCode().
	QueryCompatible bool
	// SigningName is the service in the SigV4 credential scope ("s3"). With REST set, a request
	// signed for it is a restXml request, and REST names its operation from the method, path and
	// query ("" when none matches).
	SigningName string
	REST        func(r *http.Request) (op string)
}

// Router tells which service and operation a request addresses, and in which protocol.
type Router struct {
	byService, byTarget, byVersion, byShape, bySigning map[string]*Endpoint
}

// NewRouter returns a router that knows no service yet.
func NewRouter() *Router {
	return &Router{byService: map[string]*Endpoint{}, byTarget: map[string]*Endpoint{},
		byVersion: map[string]*Endpoint{}, byShape: map[string]*Endpoint{}, bySigning: map[string]*Endpoint{}}
}

// Add makes the router recognise ep's requests.
func (rt *Router) Add(ep Endpoint) {
	p := &ep
	rt.byService[ep.Service] = p
	if ep.JSONTarget != "" {
		rt.byTarget[ep.JSONTarget] = p
	}
	if ep.QueryVersion != "" {
		rt.byVersion[ep.QueryVersion] = p
	}
	if ep.CBORShape != "" {
		rt.byShape[ep.CBORShape] = p
	}
	if ep.SigningName != "" && ep.REST != nil {
		rt.bySigning[ep.SigningName] = p
	}
}

// Request is one request as the wire layer read it.
type Request struct {
	Protocol Protocol
	// Service and Op are "" when no registered service answers the request.
	Service, Op string
	// Region and AccessKey come from the SigV4 credential scope ("" when unsigned).
	Region, AccessKey string
	// In is the request as a generic tree (see Decode); for restXml, the query parameters.
	In any
	// Err is set when the body does not parse in its protocol (a SerializationException).
	Err *APIError
	// HTTP and Body are the request itself, for restXml handlers that read headers and payload.
	HTTP *http.Request
	Body []byte
}

// Read reads and classifies r. The error is for a body that cannot be read at all (over the
// size limit, bad gzip); a body that does not parse is Request.Err, answered in its protocol.
func (rt *Router) Read(r *http.Request) (*Request, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	req := &Request{HTTP: r, Body: body}
	var signing string
	req.AccessKey, req.Region, signing = SigV4Scope(r.Header.Get("Authorization"))
	shape, cborOp, isCBOR := cborPath(r.URL.Path)
	ep := rt.byShape[shape]
	switch {
	case isCBOR && ep != nil:
		req.Protocol, req.Service, req.Op = CBOR, ep.Service, cborOp
		req.In, err = DecodeCBOR(body)
	case r.Header.Get("X-Amz-Target") != "":
		prefix, op := SplitTarget(r.Header.Get("X-Amz-Target"))
		req.Protocol, req.Op = JSON, op
		if ep := rt.byTarget[prefix]; ep != nil {
			req.Service = ep.Service
		}
		req.In, err = DecodeJSON(body)
	case rt.bySigning[signing] != nil:
		rest := rt.bySigning[signing]
		req.Protocol, req.Service, req.Op = RESTXML, rest.Service, rest.REST(r)
		req.In = queryTree(r.URL.Query())
	default:
		// A form body is awsQuery even when it does not parse: the error is answered in XML.
		req.Protocol = Query
		var form url.Values
		form, err = url.ParseQuery(string(body))
		if err == nil {
			if ep := rt.byVersion[form.Get("Version")]; ep != nil {
				req.Service = ep.Service
			}
			req.Op = form.Get("Action")
			req.In, err = DecodeQuery(form)
		}
	}
	if err != nil {
		req.Err = &APIError{Type: "SerializationException", Message: "could not read the request: " + err.Error()}
	}
	return req, nil
}

// cborPath splits /service/<Shape>/operation/<Op>.
func cborPath(path string) (shape, op string, ok bool) {
	rest, found := strings.CutPrefix(path, "/service/")
	if !found {
		return "", "", false
	}
	shape, op, found = strings.Cut(rest, "/operation/")
	return shape, op, found && shape != "" && !strings.Contains(shape, "/")
}

// queryTree is a URL query as a tree of its first values.
func queryTree(q url.Values) map[string]any {
	out := make(map[string]any, len(q))
	for k, v := range q {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

// SplitTarget splits X-Amz-Target into the service prefix and the operation. The SDKs send
// "CloudTrail_20131101.GetTrail"; botocore (AWS CLI v1) sends CloudTrail's fully qualified
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail", so the prefix is the
// segment just before the operation.
func SplitTarget(target string) (prefix, op string) {
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return target, ""
	}
	prefix, op = target[:i], target[i+1:]
	return prefix[strings.LastIndexByte(prefix, '.')+1:], op
}

// SigV4Scope reads the access key, region and signing service from
// "AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, ...". The signature is not
// checked: any secret is accepted.
func SigV4Scope(auth string) (accessKey, region, service string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
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
