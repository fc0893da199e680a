package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestLoggerFormats: JSON lines for machines, console for people, anything else refused; V(1)
// lines only at verbosity 1.
func TestLoggerFormats(t *testing.T) {
	var buf bytes.Buffer
	log, flush, err := newLogger(&buf, logJSON, 0)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("shown", "k", "v")
	log.V(1).Info("hidden")
	flush()
	if s := buf.String(); !strings.Contains(s, `"msg":"shown","k":"v"`) || strings.Contains(s, "hidden") {
		t.Errorf("json log: %s", s)
	}
	buf.Reset()
	log, flush, err = newLogger(&buf, logConsole, 1)
	if err != nil {
		t.Fatal(err)
	}
	log.V(1).Info("detail")
	flush()
	if s := buf.String(); !strings.Contains(s, "\tDEBUG\tdetail") {
		t.Errorf("console log at -v 1: %s", s)
	}
	if _, _, err := newLogger(&buf, "xml", 0); err == nil {
		t.Error("log format xml accepted")
	}
}
