package wire

import (
	"net/http"
	"strings"
	"testing"
)

func TestSplitTarget(t *testing.T) {
	for target, want := range map[string][2]string{
		"Logs_20140328.PutMetricFilter":                                   {"Logs_20140328", "PutMetricFilter"},
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail": {"CloudTrail_20131101", "GetTrail"},
		"NoOperation": {"NoOperation", ""},
	} {
		if p, op := SplitTarget(target); p != want[0] || op != want[1] {
			t.Errorf("SplitTarget(%q) = %q, %q; want %q, %q", target, p, op, want[0], want[1])
		}
	}
}

func TestSigV4Scope(t *testing.T) {
	ak, region, svc := SigV4Scope("AWS4-HMAC-SHA256 Credential=AKIDX/20260101/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=00")
	if ak != "AKIDX" || region != "eu-west-1" || svc != "monitoring" {
		t.Fatalf("SigV4Scope = %q %q %q", ak, region, svc)
	}
	if ak, region, svc := SigV4Scope("Bearer x"); ak != "" || region != "" || svc != "" {
		t.Fatalf("an unsigned request has no scope: %q %q %q", ak, region, svc)
	}
}

// The router tells services apart by each protocol's marker, and only by the endpoints added.
func TestRouterRead(t *testing.T) {
	rt := NewRouter()
	rt.Add(Endpoint{Service: "cloudwatch", JSONTarget: "GraniteServiceVersion20100801", CBORShape: "GraniteServiceVersion20100801",
		QueryVersion: "2010-08-01", QueryCompatible: true})
	rt.Add(Endpoint{Service: "logs", JSONTarget: "Logs_20140328"})
	cases := []struct {
		name, path, target, body string
		proto                    Protocol
		service, op              string
		err                      bool
	}{
		{"cbor", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", "", "", CBOR, "cloudwatch", "DescribeAlarms", false},
		{"json", "/", "Logs_20140328.DescribeLogGroups", `{"limit":5}`, JSON, "logs", "DescribeLogGroups", false},
		{"json unknown target", "/", "Nope_1.Op", `{}`, JSON, "", "Op", false},
		{"query", "/", "", "Action=DescribeAlarms&Version=2010-08-01", Query, "cloudwatch", "DescribeAlarms", false},
		{"query unknown version", "/", "", "Action=Publish&Version=2010-03-31", Query, "", "Publish", false},
		{"bad json", "/", "Logs_20140328.DescribeLogGroups", `{`, JSON, "logs", "DescribeLogGroups", true},
		{"cbor of an unknown shape is not cbor", "/service/Other/operation/X", "", "", Query, "", "", false},
	}
	for _, tc := range cases {
		r, err := http.NewRequest(http.MethodPost, "http://x"+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.target != "" {
			r.Header.Set("X-Amz-Target", tc.target)
		}
		req, err := rt.Read(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if req.Protocol != tc.proto || req.Service != tc.service || req.Op != tc.op || (req.Err != nil) != tc.err {
			t.Errorf("%s: got %v %q %q err=%v", tc.name, req.Protocol, req.Service, req.Op, req.Err)
		}
	}
}
