package daemon

import (
	"errors"
	"strings"
	"testing"
)

// The redaction rules are tested in spec/redact; this checks that the daemon's logger, fed
// through the wrappers, prints no secret.
func TestLoggerRedactsViaRedact(t *testing.T) {
	var buf syncBuffer
	log, flush, err := testLogger(&buf)
	must(t, err)
	log.Error(Redact(errors.New(`dial "http://key:secret@h/?X-Amz-Security-Token=abc"`)), "pass failed", "endpoint", RedactURL("http://key:secret@h/"))
	flush()
	if s := buf.String(); strings.Contains(s, "secret") || strings.Contains(s, "abc") || !strings.Contains(s, `"level":"error"`) {
		t.Errorf("log line: %s", s)
	}
	if RedactText("x http://k:s@h/ y") != "x "+RedactURL("http://k:s@h/")+" y" {
		t.Error("RedactText and RedactURL disagree")
	}
}
