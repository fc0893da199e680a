package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"http://127.0.0.1:4566", "http://127.0.0.1:4566"},
		{"https://AKIAEXAMPLE:wJalrSecret@proxy.example:8443/", "https://REDACTED@proxy.example:8443/"},
		{"https://monitoring.example/?X-Amz-Security-Token=FQoGZX&X-Amz-Credential=AKIA%2F2026", "https://monitoring.example/?X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED"},
		{"http://u@h/#tok", "http://REDACTED@h/#REDACTED"},
		{"http://h/%zz?x=1", "<unparsable URL REDACTED>"},
	}
	for _, c := range cases {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactErrorKeepsChainAndHidesSecrets(t *testing.T) {
	inner := fmt.Errorf(`operation error CloudWatch: DescribeAlarms, https response error: Post "https://AKIAEXAMPLE:s3cr3t@h:1/?X-Amz-Security-Token=tok123": %w`, context.Canceled)
	err := Redact(inner)
	msg := err.Error()
	for _, secret := range []string{"AKIAEXAMPLE", "s3cr3t", "tok123"} {
		if strings.Contains(msg, secret) {
			t.Errorf("redacted error still holds %q: %s", secret, msg)
		}
	}
	if !strings.Contains(msg, "DescribeAlarms") || !errors.Is(err, context.Canceled) {
		t.Errorf("redaction lost the message or the chain: %s", msg)
	}
	if Redact(nil) != nil {
		t.Error("Redact(nil) != nil")
	}
}

func TestLoggerRedactsViaRedact(t *testing.T) {
	var buf syncBuffer
	log, flush, err := testLogger(&buf)
	must(t, err)
	log.Error(Redact(errors.New(`dial "http://key:secret@h/?X-Amz-Security-Token=abc"`)), "pass failed", "endpoint", RedactURL("http://key:secret@h/"))
	flush()
	if s := buf.String(); strings.Contains(s, "secret") || strings.Contains(s, "abc") || !strings.Contains(s, `"level":"error"`) {
		t.Errorf("log line: %s", s)
	}
}
