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
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// recorded builds a CloudTrail record of the emulated account (123456789012) as CloudTrail
// writes it; edit adjusts it.
func recorded(t *testing.T, source, name string, edit func(map[string]any)) []byte {
	t.Helper()
	r := map[string]any{
		"eventVersion": "1.11",
		"userIdentity": map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::123456789012:user/alice",
			"accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE", "userName": "alice"},
		"eventTime": "2020-01-01T00:00:00Z", "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
		"sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", "requestParameters": nil, "responseElements": nil,
		"requestID": "8a4e8f3e-0000-4000-8000-000000000001", "eventID": "c2a1d0b4-0000-4000-8000-000000000002",
		"readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "123456789012",
		"eventCategory": "Management",
	}
	if edit != nil {
		edit(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordEventDelivery: records given to RecordEvent reach a trail's log group under its
// event selectors exactly as the records of emulated calls do — management or data event,
// read-only or not, event sources excluded — with eventTime set to when they were recorded.
func TestRecordEventDelivery(t *testing.T) {
	readOnly := func(r map[string]any) { r["readOnly"] = true }
	data := func(r map[string]any) {
		r["managementEvent"], r["eventCategory"], r["readOnly"] = false, "Data", true
		r["resources"] = []any{map[string]any{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket/key"}}
	}
	records := map[string]func(t *testing.T) []byte{
		"iam:PutRolePolicy": func(t *testing.T) []byte { return recorded(t, "iam.amazonaws.com", "PutRolePolicy", nil) },
		"ec2:DescribeVpcs":  func(t *testing.T) []byte { return recorded(t, "ec2.amazonaws.com", "DescribeVpcs", readOnly) },
		"kms:DisableKey":    func(t *testing.T) []byte { return recorded(t, "kms.amazonaws.com", "DisableKey", nil) },
		"s3:GetObject":      func(t *testing.T) []byte { return recorded(t, "s3.amazonaws.com", "GetObject", data) },
		"signin:ConsoleLogin": func(t *testing.T) []byte {
			return recorded(t, "signin.amazonaws.com", "ConsoleLogin", func(r map[string]any) {
				r["eventType"] = "AwsConsoleSignIn"
				delete(r, "managementEvent") // eventCategory alone decides
			})
		},
	}
	order := []string{"iam:PutRolePolicy", "ec2:DescribeVpcs", "kms:DisableKey", "s3:GetObject", "signin:ConsoleLogin"}
	basic := func(sel cttypes.EventSelector) *cloudtrail.PutEventSelectorsInput {
		return &cloudtrail.PutEventSelectorsInput{EventSelectors: []cttypes.EventSelector{sel}}
	}
	cases := []struct {
		name      string
		selectors *cloudtrail.PutEventSelectorsInput
		want      []string
	}{
		{"default: management events", nil, []string{"iam:PutRolePolicy", "ec2:DescribeVpcs", "kms:DisableKey", "signin:ConsoleLogin"}},
		{"write-only", basic(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeWriteOnly}), []string{"iam:PutRolePolicy", "kms:DisableKey", "signin:ConsoleLogin"}},
		{"read-only", basic(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeReadOnly}), []string{"ec2:DescribeVpcs"}},
		{"kms excluded", basic(cttypes.EventSelector{ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}),
			[]string{"iam:PutRolePolicy", "ec2:DescribeVpcs", "signin:ConsoleLogin"}},
		{"management events off", basic(cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false)}), nil},
		{"advanced: S3 data events only", &cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
			FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
				{Field: aws.String("eventSource"), Equals: []string{"s3.amazonaws.com"}}}}}}, []string{"s3:GetObject"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, cfg := ctEnv(t)
			ctx := context.Background()
			ct := cloudtrail.NewFromConfig(cfg)
			logs := cloudwatchlogs.NewFromConfig(cfg)
			ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
			if tc.selectors != nil {
				tc.selectors.TrailName = aws.String("main")
				if _, err := ct.PutEventSelectors(ctx, tc.selectors); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
				t.Fatal(err)
			}
			e.Advance(time.Minute)
			since := e.Now()
			for _, k := range order {
				if err := e.RecordEvent(records[k](t)); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
			}
			e.Advance(time.Minute)
			out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(ctGroup), StartTime: aws.Int64(since.UnixMilli())})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range out.Events {
				var rec map[string]any
				if err := json.Unmarshal([]byte(aws.ToString(ev.Message)), &rec); err != nil {
					t.Fatal(err)
				}
				src, _ := rec["eventSource"].(string)
				if src == "cloudtrail.amazonaws.com" || src == "logs.amazonaws.com" {
					continue // the test's own calls
				}
				got = append(got, strings.TrimSuffix(src, ".amazonaws.com")+":"+rec["eventName"].(string))
				// eventTime says when it happened; the log event is stamped when CloudTrail
				// delivered it, at the next tick.
				if rec["eventTime"] != since.Format(time.RFC3339) || aws.ToInt64(ev.Timestamp) != since.Add(time.Minute).UnixMilli() {
					t.Errorf("%v: eventTime %v, log event at %d; want eventTime %s, delivered a minute later", got, rec["eventTime"], aws.ToInt64(ev.Timestamp), since)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("delivered %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRecordEventCounts: a recorded event is counted by a metric filter on the trail's log
// group like the record of an emulated call, and the record reaches CloudWatch Logs as given,
// numbers and all.
func TestRecordEventCounts(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	datums := logsDatumRecorder(e)
	logsPutFilter(t, logs, ctGroup, "sg-changes", `{ ($.eventName = AuthorizeSecurityGroupIngress) && ($.requestParameters.ipPermissions.items[0].fromPort = 22) }`,
		&logstypes.MetricTransformation{MetricName: aws.String("SGChanges"), MetricNamespace: aws.String("CIS"), MetricValue: aws.String("1")})
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute)
	datums() // what the setup produced
	rec := recorded(t, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", func(r map[string]any) {
		r["requestParameters"] = map[string]any{"groupId": "sg-0123456789abcdef0", "ipPermissions": map[string]any{"items": []any{
			map[string]any{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "0.0.0.0/0"}}}}}}}
	})
	if err := e.RecordEvent(rec); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute)
	if got := strings.Join(datums(), "\n"); got != "CIS/SGChanges 05:08:00.000 1 " { // the minute it arrived
		t.Fatalf("datapoints %q", got)
	}
	out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(ctGroup), FilterPattern: aws.String(`{ $.eventName = AuthorizeSecurityGroupIngress }`)})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("events %v %v", err, out)
	}
	if msg := aws.ToString(out.Events[0].Message); !strings.Contains(msg, `"fromPort":22,`) {
		t.Fatalf("delivered %s", msg)
	}
}

func TestRecordEventRefusals(t *testing.T) {
	e, _ := ctEnv(t)
	good := string(recorded(t, "iam.amazonaws.com", "PutRolePolicy", nil))
	cases := map[string]string{
		"not JSON":                 `{"eventSource":`,
		"not an object":            `["a"]`,
		"null":                     `null`,
		"two records":              good + good,
		"no eventSource":           `{"eventName":"X","awsRegion":"us-east-1","recipientAccountId":"123456789012","managementEvent":true}`,
		"no region":                `{"eventSource":"iam.amazonaws.com","eventName":"X","recipientAccountId":"123456789012","managementEvent":true}`,
		"no account":               `{"eventSource":"iam.amazonaws.com","eventName":"X","awsRegion":"us-east-1","managementEvent":true}`,
		"management unknown":       `{"eventSource":"iam.amazonaws.com","eventName":"X","awsRegion":"us-east-1","recipientAccountId":"123456789012"}`,
		"managementEvent a string": `{"eventSource":"iam.amazonaws.com","eventName":"X","awsRegion":"us-east-1","recipientAccountId":"123456789012","managementEvent":"yes"}`,
		"readOnly a string":        `{"eventSource":"iam.amazonaws.com","eventName":"X","awsRegion":"us-east-1","recipientAccountId":"123456789012","managementEvent":true,"readOnly":"no"}`,
		"another account":          `{"eventSource":"iam.amazonaws.com","eventName":"X","awsRegion":"us-east-1","recipientAccountId":"999999999999","managementEvent":true}`,
	}
	for name, rec := range cases {
		if err := e.RecordEvent([]byte(rec)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := e.RecordEvent([]byte(good)); err != nil {
		t.Fatalf("a good record: %v", err)
	}
}
