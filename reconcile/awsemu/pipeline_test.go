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
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The end-to-end pipeline the emulator exists for: the AWS Well-Architected KMS lab's chain —
// trail → log group → metric filter → alarm → topic — built through the SDK, then exercised by
// KMS calls made as the application's task role, on the emulated clock.

const (
	labAccount   = "111122223333"
	labRegion    = "ap-southeast-2"
	labTaskRole  = "arn:aws:iam::" + labAccount + ":role/pattern1-app-Pattern1ECSTaskRole"
	labOtherRole = "arn:aws:iam::" + labAccount + ":role/pattern1-batch-Role"
	labCTRole    = "arn:aws:iam::" + labAccount + ":role/CloudTrailToLogs"
	labBucket    = "pattern1-trail-bucket"
	labTrail     = "pattern1-logging-trail"
	labGroup     = "pattern1-logging-loggroup"
	labAlarm     = "pattern1-logging-alarm"
	labTopic     = "pattern1-logging-topic"
	labConfirmed = "secops@example.com"
	labPending   = "oncall@example.com"
	// labPattern is the lab's metric filter: failed KMS calls made through the task role.
	labPattern = `{ $.errorCode = "*" && $.eventSource = "kms.amazonaws.com" && $.userIdentity.sessionContext.sessionIssuer.arn = "` + labTaskRole + `" }`
)

type labEnv struct {
	// config signs as accessKey in region.
	config   func(accessKey, region string) aws.Config
	t        *testing.T
	e        *Emulator
	ctx      context.Context
	admin    aws.Config
	task     *kms.Client // signed as a session of the task role
	other    *kms.Client // signed as a session of another role
	appKey   *string     // the key the application uses
	wrongKey *string     // another key, whose id makes Decrypt fail with IncorrectKeyException
	blob     []byte      // data encrypted under appKey
	topicArn string
}

// labChain builds the lab's chain through the SDK, as the lab's CloudFormation and console
// steps do: bucket and role seeded, trail to log group and StartLogging, metric filter, alarm,
// topic, a confirmed and an unconfirmed email subscription. The clock then moves a minute so
// that the set-up's own CloudTrail records are delivered before the test's calls.
func labChain(t *testing.T, defaultRegion string) *labEnv {
	t.Helper()
	e := New(Options{Region: defaultRegion, AccountID: labAccount, Start: time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)})
	// The lab's timeline is the chain's, minute by minute: CloudTrail delivers at the next tick
	// (TestCloudTrailDeliveryDelay covers the delay).
	e.SetTrailDeliveryDelay(0)
	srv, err := Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.SeedBucket(labBucket)
	e.SeedRole(labCTRole)
	e.AddRoleSession("AKIDTASK", labTaskRole, "ecs-task-1")
	e.AddRoleSession("AKIDOTHER", labOtherRole, "batch-1")
	config := func(ak, region string) aws.Config {
		c := sdkConfig(srv.URL, ak)
		c.Region = region
		return c
	}
	cfg := func(ak string) aws.Config { return config(ak, labRegion) }
	env := &labEnv{config: config, t: t, e: e, ctx: context.Background(), admin: cfg("AKIDADMIN"),
		task: kms.NewFromConfig(cfg("AKIDTASK")), other: kms.NewFromConfig(cfg("AKIDOTHER"))}
	ctx, must := env.ctx, func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	logs := cloudwatchlogs.NewFromConfig(env.admin)
	_, err = logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(labGroup)})
	must(err)
	_, err = logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(labGroup), RetentionInDays: aws.Int32(90)})
	must(err)
	ct := cloudtrail.NewFromConfig(env.admin)
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(labTrail), S3BucketName: aws.String(labBucket),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:" + labRegion + ":" + labAccount + ":log-group:" + labGroup + ":*"),
		CloudWatchLogsRoleArn:     aws.String(labCTRole), IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)})
	must(err)
	_, err = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(labTrail)})
	must(err)
	_, err = logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(labGroup),
		FilterName: aws.String("pattern1-kms-errors"), FilterPattern: aws.String(labPattern),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("KMSSecurityError"),
			MetricNamespace: aws.String("Pattern1Application/KMSSecurity"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}}})
	must(err)

	s := sns.NewFromConfig(env.admin)
	topic, err := s.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(labTopic)})
	must(err)
	env.topicArn = aws.ToString(topic.TopicArn)
	for _, addr := range []string{labConfirmed, labPending} {
		out, err := s.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String(addr)})
		must(err)
		if aws.ToString(out.SubscriptionArn) != "pending confirmation" {
			t.Fatalf("email subscription answered %q", aws.ToString(out.SubscriptionArn))
		}
	}
	// The recipient follows the link in the confirmation email: ConfirmSubscription with its token.
	var token string
	for _, d := range e.Outbox() {
		if d.Type == "SubscriptionConfirmation" && d.Endpoint == labConfirmed {
			token = d.Token
		}
	}
	_, err = s.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: aws.String(token)})
	must(err)

	cw := cloudwatch.NewFromConfig(env.admin)
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(labAlarm),
		AlarmDescription: aws.String("Failed KMS calls made by the application's task role"),
		Namespace:        aws.String("Pattern1Application/KMSSecurity"), MetricName: aws.String("KMSSecurityError"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{env.topicArn}})
	must(err)

	admin := kms.NewFromConfig(env.admin)
	for _, k := range []**string{&env.appKey, &env.wrongKey} {
		out, err := admin.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("pattern1")})
		must(err)
		*k = out.KeyMetadata.KeyId
	}
	enc, err := env.task.Encrypt(ctx, &kms.EncryptInput{KeyId: env.appKey, Plaintext: []byte("card number")})
	must(err)
	env.blob = enc.CiphertextBlob
	e.Advance(time.Minute)
	return env
}

// failInRegion has the task role fail three Decrypts in another region, with keys of that region.
func (env *labEnv) failInRegion(region string) {
	env.t.Helper()
	admin := kms.NewFromConfig(env.config("AKIDADMIN", region))
	task := kms.NewFromConfig(env.config("AKIDTASK", region))
	var keys []*string
	for i := 0; i < 2; i++ {
		out, err := admin.CreateKey(env.ctx, &kms.CreateKeyInput{})
		if err != nil {
			env.t.Fatal(err)
		}
		keys = append(keys, out.KeyMetadata.KeyId)
	}
	enc, err := task.Encrypt(env.ctx, &kms.EncryptInput{KeyId: keys[0], Plaintext: []byte("x")})
	if err != nil {
		env.t.Fatal(err)
	}
	env.blob = enc.CiphertextBlob
	env.decrypts(task, keys[1], true)
}

// decrypts makes three Decrypt calls, ten seconds apart, all within one minute.
func (env *labEnv) decrypts(c *kms.Client, keyID *string, wantFail bool) {
	env.t.Helper()
	for i := 0; i < 3; i++ {
		env.e.Advance(10 * time.Second)
		_, err := c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: env.blob, KeyId: keyID})
		if (err != nil) != wantFail {
			env.t.Fatalf("Decrypt %d: error %v, want failure %v", i, err, wantFail)
		}
	}
}

func (env *labEnv) alarmState() cwtypes.StateValue {
	env.t.Helper()
	out, err := cloudwatch.NewFromConfig(env.admin).DescribeAlarms(env.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{labAlarm}})
	if err != nil || len(out.MetricAlarms) != 1 {
		env.t.Fatalf("DescribeAlarms: %v %v", out, err)
	}
	return out.MetricAlarms[0].StateValue
}

func (env *labEnv) notifications(endpoint string) []Delivery {
	var out []Delivery
	for _, d := range env.e.Outbox() {
		if d.Type == "Notification" && d.Endpoint == endpoint {
			out = append(out, d)
		}
	}
	return out
}

func TestPipelineLabChain(t *testing.T) {
	cases := []struct {
		name string
		// before changes the chain (the drift under test) before the calls.
		before func(env *labEnv)
		// calls are the KMS calls the application makes.
		calls     func(env *labEnv)
		wantAlarm bool
		// emuRegion is the emulator's default region when it is not the lab's: every stage
		// must work in the region of the request, not the emulator's default.
		emuRegion string
		// silent: the alarm fires but nobody is notified (the drift is after the alarm).
		silent bool
	}{
		{name: "task role failures raise the alarm once",
			calls:     func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) },
			wantAlarm: true},
		{name: "the lab's region need not be the emulator's default",
			emuRegion: "us-east-1",
			calls:     func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) },
			wantAlarm: true},
		{name: "a multi-region trail brings another region's failures",
			calls:     func(env *labEnv) { env.failInRegion("us-east-1") },
			wantAlarm: true},
		{name: "a single-region trail does not",
			before: func(env *labEnv) {
				_, err := cloudtrail.NewFromConfig(env.admin).UpdateTrail(env.ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(labTrail), IsMultiRegionTrail: aws.Bool(false)})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.failInRegion("us-east-1") }},
		{name: "nothing once the trail stops sending to CloudWatch Logs",
			before: func(env *labEnv) {
				_, err := cloudtrail.NewFromConfig(env.admin).UpdateTrail(env.ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(labTrail),
					CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
		{name: "nothing with management events off",
			before: func(env *labEnv) {
				_, err := cloudtrail.NewFromConfig(env.admin).PutEventSelectors(env.ctx, &cloudtrail.PutEventSelectorsInput{
					TrailName: aws.String(labTrail), EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false),
						ReadWriteType: cttypes.ReadWriteTypeAll}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
		{name: "nothing once the metric filter is deleted",
			before: func(env *labEnv) {
				_, err := cloudwatchlogs.NewFromConfig(env.admin).DeleteMetricFilter(env.ctx, &cloudwatchlogs.DeleteMetricFilterInput{
					LogGroupName: aws.String(labGroup), FilterName: aws.String("pattern1-kms-errors")})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
		{name: "an alarm without actions notifies nobody",
			before: func(env *labEnv) {
				cw := cloudwatch.NewFromConfig(env.admin)
				out, err := cw.DescribeAlarms(env.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{labAlarm}})
				if err != nil {
					t.Fatal(err)
				}
				a := out.MetricAlarms[0]
				_, err = cw.PutMetricAlarm(env.ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: a.AlarmName, Namespace: a.Namespace,
					MetricName: a.MetricName, Statistic: a.Statistic, Period: a.Period, EvaluationPeriods: a.EvaluationPeriods,
					Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls:     func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) },
			wantAlarm: true, silent: true},
		{name: "nobody hears once the subscription is removed",
			before: func(env *labEnv) {
				s := sns.NewFromConfig(env.admin)
				out, err := s.ListSubscriptionsByTopic(env.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(env.topicArn)})
				if err != nil {
					t.Fatal(err)
				}
				for _, sub := range out.Subscriptions {
					if aws.ToString(sub.Endpoint) == labConfirmed {
						if _, err := s.Unsubscribe(env.ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
							t.Fatal(err)
						}
					}
				}
			},
			calls:     func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) },
			wantAlarm: true, silent: true},
		{name: "task role denials raise the alarm too",
			before:    func(env *labEnv) { env.e.DenyKMS("AKIDTASK", "Decrypt") },
			calls:     func(env *labEnv) { env.decrypts(env.task, nil, true) },
			wantAlarm: true},
		{name: "successful calls do not count",
			calls: func(env *labEnv) { env.decrypts(env.task, env.appKey, false) }},
		{name: "another role's failures do not count",
			calls: func(env *labEnv) { env.decrypts(env.other, env.wrongKey, true) }},
		{name: "nothing after StopLogging",
			before: func(env *labEnv) {
				ct := cloudtrail.NewFromConfig(env.admin)
				if _, err := ct.StopLogging(env.ctx, &cloudtrail.StopLoggingInput{Name: aws.String(labTrail)}); err != nil {
					t.Fatal(err)
				}
				st, err := ct.GetTrailStatus(env.ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(labTrail)})
				if err != nil || aws.ToBool(st.IsLogging) {
					t.Fatalf("trail still logging: %v", err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
		{name: "nothing with kms.amazonaws.com excluded from management events",
			before: func(env *labEnv) {
				_, err := cloudtrail.NewFromConfig(env.admin).PutEventSelectors(env.ctx, &cloudtrail.PutEventSelectorsInput{
					TrailName: aws.String(labTrail), EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true),
						ReadWriteType: cttypes.ReadWriteTypeAll, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
		{name: "nothing with write-only management events",
			before: func(env *labEnv) {
				_, err := cloudtrail.NewFromConfig(env.admin).PutEventSelectors(env.ctx, &cloudtrail.PutEventSelectorsInput{
					TrailName: aws.String(labTrail), EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true),
						ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			calls: func(env *labEnv) { env.decrypts(env.task, env.wrongKey, true) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			region := labRegion
			if tc.emuRegion != "" {
				region = tc.emuRegion
			}
			env := labChain(t, region)
			if tc.before != nil {
				tc.before(env)
				env.e.Advance(time.Minute) // the change's own records are delivered first
			}
			tc.calls(env)
			// Let delivery, the metric filter and the one-minute period run, and some more.
			sawAlarm := false
			for i := 0; i < 5; i++ {
				env.e.Advance(time.Minute)
				sawAlarm = sawAlarm || env.alarmState() == cwtypes.StateValueAlarm
			}
			if sawAlarm != tc.wantAlarm {
				t.Fatalf("alarm reached ALARM: %v, want %v (now %s)", sawAlarm, tc.wantAlarm, env.alarmState())
			}
			got := env.notifications(labConfirmed)
			if !tc.wantAlarm || tc.silent {
				if len(got) != 0 {
					t.Fatalf("notifications %+v, want none", got)
				}
			} else {
				if len(got) != 1 {
					t.Fatalf("confirmed subscriber got %d notifications, want exactly one: %+v", len(got), got)
				}
				n := got[0]
				if n.Subject != `ALARM: "`+labAlarm+`" in Asia Pacific (Sydney)` || n.TopicArn != env.topicArn {
					t.Errorf("notification subject %q topic %s", n.Subject, n.TopicArn)
				}
				var msg struct {
					AlarmName, NewStateValue, OldStateValue, NewStateReason string
				}
				if err := json.Unmarshal([]byte(n.Message), &msg); err != nil {
					t.Fatalf("notification message %q: %v", n.Message, err)
				}
				if msg.AlarmName != labAlarm || msg.NewStateValue != "ALARM" || !strings.Contains(msg.NewStateReason, "[3.0 ") {
					t.Errorf("notification %+v", msg)
				}
				if !strings.Contains(n.Body, n.Message) || !strings.Contains(n.Body, "Action=Unsubscribe") {
					t.Errorf("email body %q", n.Body)
				}
			}
			if pending := env.notifications(labPending); len(pending) != 0 {
				t.Fatalf("the unconfirmed subscription received %+v", pending)
			}
		})
	}
}
