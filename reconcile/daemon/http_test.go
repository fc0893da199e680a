package daemon

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestOperationsEndpoints(t *testing.T) {
	account := newFakeAccount()
	account.gate = make(chan struct{}) // hold the first pass until /readyz has been seen to be 503
	h := startDaemonOn(t, account, specYAML("m", "a=10"), func(o *Options) { o.Interval = 100 * time.Millisecond })
	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	if code, _ := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the first pass = %d, want 503", code)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	close(account.gate)
	eventually(t, 5*time.Second, "/readyz 200", func() bool { code, _ := get(t, srv.URL+"/readyz"); return code == http.StatusOK })

	h.d.Metrics().ObserveAWSCall("cloudwatch", "DescribeAlarms", "", 3*time.Millisecond)
	h.d.Metrics().ObserveAWSCall("cloudwatch", "PutMetricAlarm", "Throttling", time.Millisecond)
	passesBefore := h.account.passCount()
	h.account.drift("Alarm/a", "50")
	eventually(t, 5*time.Second, "drift repaired", func() bool {
		v, _ := h.account.alarm("Alarm/a")
		return v == "10" && h.account.passCount() > passesBefore
	})
	eventually(t, 5*time.Second, "drift metric", func() bool {
		_, body := get(t, srv.URL+"/metrics")
		return strings.Contains(body, `kmswatch_drift_repaired_total{kind="Alarm"} 1`)
	})
	_, body := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`kmswatch_reconcile_total{result="success"}`,
		`kmswatch_reconcile_duration_seconds_count`,
		`kmswatch_aws_requests_total{code="OK",operation="DescribeAlarms",service="cloudwatch"} 1`,
		`kmswatch_aws_requests_total{code="Throttling",operation="PutMetricAlarm",service="cloudwatch"} 1`,
		`kmswatch_drift_repaired_total{kind="Trail"} 0`,
		`kmswatch_changes_applied_total{action="create",kind="Alarm"} 1`,
		`kmswatch_resources{kind="Alarm",state="InSync"} 1`,
		`kmswatch_resources{kind="Subscription",state="PendingConfirmation"} 1`,
		`kmswatch_subscriptions_pending 1`,
		`kmswatch_spec_reloads_total{result="rejected"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "kmswatch_last_success_timestamp_seconds 0\n") {
		t.Error("last success timestamp did not move")
	}

	_, body = get(t, srv.URL+"/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("decode /status: %v\n%s", err, body)
	}
	if !st.Ready || st.Spec == nil || st.Spec.Monitors[0] != "m" || st.LastPass == nil || st.LastSuccess == nil {
		t.Errorf("/status header: %s", body)
	}
	if len(st.Subscriptions) != 1 || st.Subscriptions[0].Confirmed || st.Subscriptions[0].Endpoint != "sec@example.com" || st.Subscriptions[0].Protocol != "email" {
		t.Errorf("/status subscriptions: %+v", st.Subscriptions)
	}
	if len(st.Warnings) != 1 || st.Warnings[0].Message != "test warning" {
		t.Errorf("/status warnings: %+v", st.Warnings)
	}
}
