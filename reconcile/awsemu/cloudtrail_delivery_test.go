package awsemu

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// ctDelivered lists the delivered events in the trail group of calls made since `since` (by
// eventTime) as "<stream region> <source>:<name>". Each log event is stamped with the time it was
// delivered, never before its call.
func ctDelivered(t *testing.T, logs *cloudwatchlogs.Client, since time.Time) []string {
	t.Helper()
	out, err := logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(ctGroup)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range out.Events {
		var rec struct {
			EventSource, EventName, EventTime, AwsRegion string
		}
		if err := json.Unmarshal([]byte(aws.ToString(ev.Message)), &rec); err != nil {
			t.Fatalf("delivered event is not CloudTrail JSON: %v", err)
		}
		stream := strings.TrimPrefix(aws.ToString(ev.LogStreamName), "123456789012_CloudTrail_")
		if stream != rec.AwsRegion {
			t.Errorf("record of %s in stream %s", rec.AwsRegion, aws.ToString(ev.LogStreamName))
		}
		at, err := time.Parse(time.RFC3339, rec.EventTime)
		if err != nil {
			t.Fatalf("eventTime %q: %v", rec.EventTime, err)
		}
		if aws.ToInt64(ev.Timestamp) != aws.ToInt64(ev.IngestionTime) || aws.ToInt64(ev.Timestamp) < at.UnixMilli() {
			t.Errorf("log event timestamp %d is not its delivery (%d), after eventTime %s", aws.ToInt64(ev.Timestamp), aws.ToInt64(ev.IngestionTime), rec.EventTime)
		}
		if at.Before(since) {
			continue
		}
		got = append(got, stream+" "+strings.TrimSuffix(rec.EventSource, ".amazonaws.com")+":"+rec.EventName)
	}
	return got
}

func TestCloudTrailDeliveryRules(t *testing.T) {
	basic := func(sels ...cttypes.EventSelector) func(*cloudtrail.PutEventSelectorsInput) {
		return func(in *cloudtrail.PutEventSelectorsInput) { in.EventSelectors = sels }
	}
	advanced := func(fields ...cttypes.AdvancedFieldSelector) func(*cloudtrail.PutEventSelectorsInput) {
		return func(in *cloudtrail.PutEventSelectorsInput) {
			in.AdvancedEventSelectors = []cttypes.AdvancedEventSelector{{FieldSelectors: append([]cttypes.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}, fields...)}}
		}
	}
	field := func(name string, op func(*cttypes.AdvancedFieldSelector)) cttypes.AdvancedFieldSelector {
		f := cttypes.AdvancedFieldSelector{Field: aws.String(name)}
		op(&f)
		return f
	}
	const (
		decrypt  = "us-east-1 kms:Decrypt"
		disable  = "us-east-1 kms:DisableKey"
		describe = "us-east-1 logs:DescribeLogGroups"
		euDesc   = "eu-west-1 logs:DescribeLogGroups"
	)
	cases := []struct {
		name        string
		noLogs      bool // the trail has no CloudWatch Logs group
		multiRegion bool
		start, stop bool
		selectors   func(*cloudtrail.PutEventSelectorsInput)
		want        []string
	}{
		{name: "default selectors", start: true, want: []string{decrypt, disable, describe}},
		{name: "never started", want: nil},
		{name: "logging stopped", start: true, stop: true, want: nil},
		{name: "no log group on the trail", noLogs: true, start: true, want: nil},
		{name: "kms excluded", start: true, selectors: basic(cttypes.EventSelector{ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}),
			want: []string{describe}},
		{name: "management events off", start: true, selectors: basic(cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false)}), want: nil},
		{name: "WriteOnly drops Decrypt, keeps DisableKey", start: true, selectors: basic(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeWriteOnly}),
			want: []string{disable}},
		{name: "ReadOnly", start: true, selectors: basic(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeReadOnly}), want: []string{decrypt, describe}},
		{name: "any selector: writes, or reads without kms", start: true, selectors: basic(
			cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeWriteOnly},
			cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeReadOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}),
			want: []string{disable, describe}},
		{name: "advanced selector excluding kms", start: true, selectors: advanced(field("eventSource",
			func(f *cttypes.AdvancedFieldSelector) { f.NotEquals = []string{"kms.amazonaws.com"} })), want: []string{describe}},
		{name: "advanced: kms writes", start: true, selectors: advanced(
			field("eventSource", func(f *cttypes.AdvancedFieldSelector) { f.Equals = []string{"kms.amazonaws.com"} }),
			field("readOnly", func(f *cttypes.AdvancedFieldSelector) { f.Equals = []string{"false"} })), want: []string{disable}},
		{name: "advanced: event name prefix", start: true, selectors: advanced(field("eventName",
			func(f *cttypes.AdvancedFieldSelector) { f.StartsWith = []string{"Describe", "Dis"} })), want: []string{disable, describe}},
		{name: "advanced: not starting with", start: true, selectors: advanced(field("eventSource",
			func(f *cttypes.AdvancedFieldSelector) { f.NotStartsWith = []string{"logs."} })), want: []string{decrypt, disable}},
		{name: "multi-region trail takes other regions", start: true, multiRegion: true, want: []string{decrypt, disable, describe, euDesc}},
		{name: "multi-region, stopped", multiRegion: true, start: true, stop: true, want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, cfg := ctEnv(t)
			ctx := context.Background()
			ct := cloudtrail.NewFromConfig(cfg)
			logs := cloudwatchlogs.NewFromConfig(cfg)
			k := kms.NewFromConfig(cfg)
			key := kmsMustKey(t, k, "app key")
			in := &cloudtrail.CreateTrailInput{Name: aws.String("main"), IsMultiRegionTrail: aws.Bool(tc.multiRegion)}
			if !tc.noLogs {
				in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String(ctGroupAr), aws.String(ctRole)
			}
			ctCreate(t, ct, in)
			if tc.selectors != nil {
				sel := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main")}
				tc.selectors(sel)
				if _, err := ct.PutEventSelectors(ctx, sel); err != nil {
					t.Fatal(err)
				}
			}
			if tc.start {
				if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.stop {
				if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}); err != nil {
					t.Fatal(err)
				}
			}
			e.Advance(time.Minute)
			since := e.Now()
			// The workload: a failing Decrypt (read), a DisableKey (write), a Logs read here and
			// one in eu-west-1.
			if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext")}); err == nil {
				t.Fatal("garbage decrypted")
			}
			if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}); err != nil {
				t.Fatal(err)
			}
			if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := cloudwatchlogs.NewFromConfig(inRegion(cfg, "eu-west-1")).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
				t.Fatal(err)
			}
			// Nothing is delivered before the clock moves.
			if got := ctDelivered(t, logs, since); len(got) != 0 {
				t.Fatalf("delivered before the tick: %v", got)
			}
			e.Advance(time.Minute)
			got := ctDelivered(t, logs, since)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("delivered:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.want) > 0 && !aws.ToTime(st.LatestCloudWatchLogsDeliveryTime).Equal(e.Now()) {
				t.Fatalf("LatestCloudWatchLogsDeliveryTime %v, want %v", st.LatestCloudWatchLogsDeliveryTime, e.Now())
			}
		})
	}
}

func TestCloudTrailDeliveryEdges(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute)
	since := e.Now()
	// A record over 256 KB is not sent to CloudWatch Logs; the ones around it are.
	e.mu.Lock()
	for i, size := range []int{10, 300 * 1024, 10} {
		e.w.Bus.Audit(core.AuditRecord{Time: e.w.Now, Source: "logs.amazonaws.com", Name: "Op" + string(rune('A'+i)), ReadOnly: true, Management: true,
			Record: map[string]any{"eventSource": "logs.amazonaws.com", "eventName": "Op" + string(rune('A'+i)), "awsRegion": "us-east-1",
				"eventTime": e.w.Now.Format(time.RFC3339), "padding": strings.Repeat("x", size)}})
	}
	e.mu.Unlock()
	e.Advance(time.Minute)
	if got := strings.Join(ctDelivered(t, logs, since), ","); got != "us-east-1 logs:OpA,us-east-1 logs:OpC" {
		t.Fatalf("delivered %s", got)
	}
	// With its log group gone, delivery fails and GetTrailStatus says so.
	if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(ctGroup)}); err != nil {
		t.Fatal(err)
	}
	delivered := e.Now()
	e.Advance(time.Minute)
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(st.LatestCloudWatchLogsDeliveryError) == "" || !aws.ToTime(st.LatestCloudWatchLogsDeliveryTime).Equal(delivered) ||
		!aws.ToTime(st.LatestDeliveryTime).Equal(e.Now()) {
		t.Fatalf("status after the group was deleted: %+v", st)
	}
}
