package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo plays the whole story and checks what a newcomer must see: the plan, each drift
// repaired, the subscription confirmed, the alarm in ALARM and the email; then the heartbeat's
// switch armed, the broken delivery reported, and the switch's email. Under ten seconds.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	if err := Run(context.Background(), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	took := time.Since(start)
	t.Logf("demo took %v", took)
	if took > 10*time.Second {
		t.Errorf("demo took %v, want under 10s", took)
	}
	s := out.String()
	for _, want := range []string{
		"Alarm/pattern1-logging-alarm create",  // the plan
		"Alarm/pattern1-logging-alarm created", // the converge
		"0 of them writes",                     // the second pass
		"Alarm/pattern1-logging-alarm updated: threshold 100 → 1",
		"Trail/pattern1-logging-trail updated",
		"Subscription/pattern1-logging-topic/email/secops@example.com: PendingConfirmation → Confirmed",
		"failed with IncorrectKeyException",
		"→ ALARM",
		"To: secops@example.com",
		`"NewStateValue": "ALARM"`,
		`Subject: ALARM: "pattern1-logging-alarm"`,
		"Alarm/pattern1-kms-heartbeat unchanged (awaiting first heartbeat)", // the switch waits
		"Alarm/pattern1-kms-heartbeat created",                              // and is armed
		"Pipeline/pattern1-kms live (last event",
		`Pipeline/pattern1-kms broken (last event 9m ago, heartbeat OK): Trail/pattern1-logging-trail LatestCloudWatchLogsDeliveryError "AccessDeniedException: `,
		"Alarm pattern1-kms-heartbeat: OK → ALARM",
		`Subject: ALARM: "pattern1-kms-heartbeat"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", s)
	}
}
