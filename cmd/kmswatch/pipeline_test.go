package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// TestBrokenDeliveryReportedVerbatim: the lab converged, then the role CloudTrail delivers with
// loses logs:PutLogEvents. Every resource is still in sync, but `kmswatch --once` prints the
// Monitor's pipeline broken with CloudTrail's LatestCloudWatchLogsDeliveryError verbatim, logs it,
// and exits 1; the daemon's /status has it in the Monitor's pipeline object, and its log too.
func TestBrokenDeliveryReportedVerbatim(t *testing.T) {
	emu := newLabEmulator()
	url := serve(t, listen(t), emu)
	dir := t.TempDir()
	spec := filepath.Join(dir, "monitor.yaml")
	writeFile(t, spec, labSpec(t, 1))
	env := cleanEnv()
	args := []string{"-f", spec, "--endpoint-url", url, "--account-id", labAccount, "--log-format", "json"}
	if code, out, logs := runOnce(t, env, append([]string{"--once"}, args...)...); code != exitOK {
		t.Fatalf("converge: exit %d\n%s\n%s", code, out, logs)
	}
	emu.DenyRoleLogs("arn:aws:iam::" + labAccount + ":role/CloudTrailToLogs")
	emu.Advance(awsemu.DefaultTrailDeliveryDelay + time.Minute) // the next delivery fails
	st, err := cloudtrail.NewFromConfig(aws.Config{Region: labRegion, BaseEndpoint: aws.String(url), HTTPClient: awsemu.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAOPERATOR", "x", "")}).GetTrailStatus(context.Background(),
		&cloudtrail.GetTrailStatusInput{Name: aws.String("pattern1-logging-trail")})
	must(t, err)
	verbatim := aws.ToString(st.LatestCloudWatchLogsDeliveryError)
	if verbatim == "" {
		t.Fatal("the emulator reports no delivery error")
	}

	code, out, logs := runOnce(t, env, append([]string{"--once"}, args...)...)
	if code != exitFailed {
		t.Errorf("--once with a broken delivery: exit %d, want %d", code, exitFailed)
	}
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Pipeline/pattern1-kms ") {
			line = l
		}
		if !strings.HasPrefix(l, "Pipeline/") && strings.Contains(l, "updated") {
			t.Errorf("a broken delivery is not drift: %s", l)
		}
	}
	if !strings.HasPrefix(line, "Pipeline/pattern1-kms broken") || !strings.Contains(line, `LatestCloudWatchLogsDeliveryError "`+verbatim+`"`) {
		t.Errorf("--once pipeline line %q, want it broken with %q", line, verbatim)
	}
	if !strings.Contains(logs, verbatim) {
		t.Errorf("--once stderr lacks the delivery error:\n%s", logs)
	}

	// The daemon: /status and the log.
	p := start(t, env, append(args, "--listen", "127.0.0.1:0", "--interval", "1h")...)
	base := p.listenAddr()
	var status struct {
		Pipeline map[string]struct {
			Status   string
			Problems []struct{ ID, Field, Error string }
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := httpGet(t, base+"/status")
		must(t, json.Unmarshal([]byte(body), &status))
		if p, ok := status.Pipeline["pattern1-kms"]; ok && p.Status == "broken" {
			found := false
			for _, pr := range p.Problems {
				found = found || (pr.Field == "LatestCloudWatchLogsDeliveryError" && pr.Error == verbatim && pr.ID == "Trail/pattern1-logging-trail")
			}
			if !found {
				t.Errorf("/status pipeline problems lack the verbatim error: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/status never showed the broken pipeline: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.waitLog(10*time.Second, `"msg":"pipeline broken"`)
	if !strings.Contains(p.logs(), verbatim) {
		t.Errorf("the daemon's log lacks the verbatim error")
	}
}

// TestOnceHeartbeatAgainstMoto: against moto, a --once pass of the lab makes exactly one
// kms:ListAliases call — the heartbeat — and creates the heartbeat's filter; the next pass writes
// nothing. The calls are counted by a proxy in front of moto.
func TestOnceHeartbeatAgainstMoto(t *testing.T) {
	moto := mototest.Start(t)
	moto.CreateBucket(t, "pattern1-trail-bucket")
	target, err := url.Parse(moto.URL)
	must(t, err)
	var mu sync.Mutex
	calls := map[string]int{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		if op == "" {
			// awsQuery: the Action is in the form; read the body and hand moto the same bytes.
			body, err := io.ReadAll(r.Body)
			must(t, err)
			form, _ := url.ParseQuery(string(body))
			op = form.Get("Action")
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		mu.Lock()
		calls[op]++
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	spec := filepath.Join(t.TempDir(), "monitor.yaml")
	writeFile(t, spec, strings.ReplaceAll(labSpec(t, 1), labAccount, "123456789012"))
	args := []string{"--once", "-f", spec, "--endpoint-url", srv.URL, "--cloudwatch-protocol", "query"}
	code, out, logs := runOnce(t, cleanEnv("AWS_MAX_ATTEMPTS=1"), args...)
	if code != exitOK {
		t.Fatalf("--once against moto: exit %d\n%s\n%s", code, out, logs)
	}
	mu.Lock()
	listAliases := calls["TrentService.ListAliases"]
	mu.Unlock()
	if listAliases != 1 {
		t.Errorf("--once made %d kms:ListAliases calls, want 1: %v", listAliases, calls)
	}
	for _, want := range []string{"MetricFilter/pattern1-logging-loggroup/pattern1-kms-heartbeat created",
		"Alarm/pattern1-kms-heartbeat unchanged (awaiting first heartbeat)", "Pipeline/pattern1-kms "} {
		if !strings.Contains(out, want) {
			t.Errorf("--once output lacks %q:\n%s", want, out)
		}
	}
	mu.Lock()
	clear(calls)
	mu.Unlock()
	code, out, logs = runOnce(t, cleanEnv("AWS_MAX_ATTEMPTS=1"), args...)
	if code != exitOK {
		t.Fatalf("second --once: exit %d\n%s\n%s", code, out, logs)
	}
	mu.Lock()
	defer mu.Unlock()
	for op, n := range calls {
		name := op[strings.LastIndexByte(op, '.')+1:]
		if !awsop.ReadOnly("", name) {
			t.Errorf("the second pass wrote: %s × %d", op, n)
		}
	}
	if calls["TrentService.ListAliases"] != 1 {
		t.Errorf("the second --once made %d heartbeats", calls["TrentService.ListAliases"])
	}
}
