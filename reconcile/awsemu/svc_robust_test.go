package awsemu

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSNSKMSTaggingBadInput sends every SNS, KMS and Tagging operation empty, ill-typed and
// out-of-range input over the wire: each must answer (a success where the input happens to be
// valid, else a 4xx error in the service's shape), never a 5xx — a handler that panicked or
// returned an internal error.
func TestSNSKMSTaggingBadInput(t *testing.T) {
	e := New(Options{Start: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)})
	client := InProcessClient(e)
	post := func(t *testing.T, hdr map[string]string, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://awsemu.invalid/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ops := e.w.Ops
	jsonBodies := []string{`{}`, `{"KeyId":7,"Tags":"x","Limit":"many","CiphertextBlob":"!!","Plaintext":5,"TagFilters":[{"Key":3}],"ResourcesPerPage":"x","AliasName":[],"PendingWindowInDays":"soon"}`,
		`{"KeyId":"alias/","Limit":0,"CiphertextBlob":"AAAA","Plaintext":"","ResourcesPerPage":0,"AliasName":"alias/aws/x","TargetKeyId":"alias/x","NumberOfBytes":-1}`}
	for service, target := range map[string]string{"kms": "TrentService", "tagging": "ResourceGroupsTaggingAPI_20170126"} {
		for _, op := range ops(service) {
			for i, body := range jsonBodies {
				status, out := post(t, map[string]string{"X-Amz-Target": target + "." + op, "Content-Type": "application/x-amz-json-1.1"}, body)
				if status >= 500 || (status >= 400 && !strings.Contains(out, `"__type"`)) {
					t.Errorf("%s %s body %d: status %d %s", service, op, i, status, out)
				}
			}
		}
	}
	queryBodies := []string{"", "TopicArn=arn:aws:sns:us-east-1:1:&SubscriptionArn=x&ResourceArn=&Tags.member.1.Key=&Attributes.entry.1.key=Colour&Protocol=&Message=&AttributeName=&NextToken=%%",
		"TopicArn=arn:aws:sns:eu-west-1:123456789012:t&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:t&ReturnSubscriptionArn=perhaps&MessageStructure=xml&Token=&TagKeys=x"}
	for _, op := range ops("sns") {
		for i, body := range queryBodies {
			form := "Action=" + op + "&Version=2010-03-31"
			if body != "" {
				form += "&" + body
			}
			status, out := post(t, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form)
			if status >= 500 || (status >= 400 && !strings.Contains(out, "<Code>")) {
				t.Errorf("sns %s body %d: status %d %s", op, i, status, out)
			}
		}
	}
}
