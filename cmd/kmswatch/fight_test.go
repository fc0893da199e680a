package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
)

// fightBackend is an account two kmswatch processes share.
type fightBackend struct {
	url     string
	account string
	args    []string           // what kmswatch needs to speak to it
	cw      *cloudwatch.Client // the test's own client, to read the alarm
	// putsByKey counts PutMetricAlarm calls by access key, when the backend can tell.
	putsByKey func() map[string]int
}

// TestTwoInstancesWithoutLeaseDoNotFight is the user's report replayed with two real kmswatch
// processes on one account, against the emulator and against moto: the lab spec with threshold 1
// in one and 5 in the other, no lease, --interval 2s. For 60 seconds after the second starts,
// both warn "another kmswatch" in their logs, /status and /metrics, and the two make at most 6
// PutMetricAlarm calls together (the report saw 28 in 30 seconds). Then the second stops, and
// the first's spec holds within the backoff cap.
func TestTwoInstancesWithoutLeaseDoNotFight(t *testing.T) {
	t.Run("emulator", func(t *testing.T) {
		t.Parallel()
		emu := newLabEmulator()
		url := serve(t, listen(t), emu)
		twoInstances(t, fightBackend{url: url, account: labAccount, cw: operatorCloudWatch(url),
			putsByKey: func() map[string]int {
				puts := map[string]int{}
				for _, c := range emu.Instruments().CallLog() {
					if c.Service == "cloudwatch" && c.Op == "PutMetricAlarm" {
						puts[c.AccessKey]++
					}
				}
				return puts
			}})
	})
	t.Run("moto", func(t *testing.T) {
		t.Parallel()
		srv := mototest.Start(t)
		srv.CreateBucket(t, "pattern1-trail-bucket")
		// moto answers as account 123456789012 and speaks query to CloudWatch, not CBOR.
		cw := cloudwatch.NewFromConfig(aws.Config{Region: labRegion, BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("AKIAOPERATOR", "x", "")},
			func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) })
		twoInstances(t, fightBackend{url: srv.URL, account: "123456789012", args: []string{"--cloudwatch-protocol", "query"}, cw: cw})
	})
}

func twoInstances(t *testing.T, be fightBackend) {
	dir := t.TempDir()
	one, five := filepath.Join(dir, "one.yaml"), filepath.Join(dir, "five.yaml")
	writeFile(t, one, labSpec(t, 1))
	writeFile(t, five, labSpec(t, 5))
	args := func(file string) []string {
		return append([]string{"-f", file, "--endpoint-url", be.url, "--account-id", be.account, "--interval", "2s", "--listen", "127.0.0.1:0"}, be.args...)
	}
	const keyA, keyB = "AKIAINSTANCEONE", "AKIAINSTANCEFIVE"
	a := start(t, cleanEnv("AWS_ACCESS_KEY_ID="+keyA), args(one)...)
	a.waitLog(20*time.Second, `"msg":"pass done"`)
	b := start(t, cleanEnv("AWS_ACCESS_KEY_ID="+keyB), args(five)...)
	bStarted := time.Now()
	procs := map[string]*proc{"threshold 1": a, "threshold 5": b}
	bases := map[string]string{"threshold 1": a.listenAddr(), "threshold 5": b.listenAddr()}

	// Both notice within a few passes.
	warning := `"msg":"warning","reconcileID":"[0-9a-f]+","id":"Monitor/pattern1-kms","warning":"another kmswatch[^"]*Alarm/pattern1-logging-alarm`
	for name, p := range procs {
		p.waitLog(20*time.Second, warning)
		t.Logf("%s warned %v after the second started", name, time.Since(bStarted).Round(time.Millisecond))
	}
	for name, base := range bases {
		wantContestStatus(t, name, base)
	}

	time.Sleep(time.Until(bStarted.Add(60 * time.Second)))
	// Each process counts its own calls; on the emulator the call log, by access key, says the same.
	puts := map[string]float64{}
	for name, base := range bases {
		_, metrics := httpGet(t, base+"/metrics")
		puts[name], _ = metricValue(metrics, `kmswatch_aws_requests_total{code="OK",operation="PutMetricAlarm",service="cloudwatch"}`)
	}
	t.Logf("PutMetricAlarm calls from the first start to 60s after the second: %v", puts)
	if puts["threshold 1"] == 0 || puts["threshold 5"] == 0 || puts["threshold 1"]+puts["threshold 5"] > 6 {
		t.Errorf("PutMetricAlarm calls %v: want both instances to write, at most 6 in all", puts)
	}
	if be.putsByKey != nil {
		byKey := be.putsByKey()
		t.Logf("the emulator's call log, by access key: %v", byKey)
		if len(byKey) != 2 || byKey[keyA]+byKey[keyB] > 6 || byKey[keyA] == 0 || byKey[keyB] == 0 {
			t.Errorf("the emulator saw PutMetricAlarm calls %v: want both keys, at most 6 in all", byKey)
		}
	}
	for name, base := range bases { // still contested at the end of the minute
		wantContestStatus(t, name, base)
	}

	// The second instance stops; the first's spec holds within the cap.
	must(t, b.cmd.Process.Signal(syscall.SIGTERM))
	if code := b.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	stopped := time.Now()
	eventually(t, reconcile.DefaultContestBackoffCap+10*time.Second, "the remaining instance's threshold 1 holds",
		func() bool { return threshold(t, be.cw) == 1 })
	t.Logf("threshold 1 holds %v after the other instance stopped", time.Since(stopped).Round(time.Millisecond))
	time.Sleep(5 * time.Second) // a few more passes: it stays
	if v := threshold(t, be.cw); v != 1 {
		t.Errorf("threshold %v, want 1 to hold", v)
	}
}

// wantContestStatus checks a kmswatch's /status and /metrics for the contest over the lab alarm.
func wantContestStatus(t *testing.T, name, base string) {
	t.Helper()
	_, body := httpGet(t, base+"/status")
	var st struct {
		Warnings []reconcile.Warning
		Contests []reconcile.Contest
	}
	must(t, json.Unmarshal([]byte(body), &st))
	warned := false
	for _, w := range st.Warnings {
		warned = warned || (w.ID == "Monitor/pattern1-kms" && strings.Contains(w.Message, "another kmswatch"))
	}
	if !warned || len(st.Contests) != 1 || st.Contests[0].Mine.Digest == st.Contests[0].Theirs.Digest ||
		strings.Join(st.Contests[0].Resources, ",") != "Alarm/"+labAlarm {
		t.Errorf("%s: /status does not show the contest:\n%s", name, body)
	}
	_, metrics := httpGet(t, base+"/metrics")
	if v, ok := metricValue(metrics, `kmswatch_contested_resources{monitor="pattern1-kms"}`); !ok || v != 1 {
		t.Errorf("%s: kmswatch_contested_resources = %v (present %v), want 1", name, v, ok)
	}
}
