package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/spec/presets"
)

// The audit runs against accounts built for each test through the real SDK — one compliant,
// then broken one way at a time — on two backends kmswatch's tests use: moto_server, an AWS
// emulator kmswatch did not write, and kmswatch's own emulator (reconcile/awsemu). Each case runs
// on both; what only the emulator can build (a pending subscription, advanced event selectors)
// runs there alone.
//
// moto gaps these tests work around (moto 5.2.1):
//   - every SNS subscription is confirmed at once, so PendingConfirmation cannot be built there
//     (on the emulator an email subscription waits for ConfirmPending, as on AWS);
//   - PutMetricFilter appends rather than replaces (a second filter of the same name), so a
//     changed pattern is made by DeleteMetricFilter then PutMetricFilter on both backends;
//   - moto speaks only query and JSON to CloudWatch, not the SDK's default CBOR (the emulator
//     gets CBOR);
//   - moto answers as account 123456789012; the emulator is given the same.

const (
	motoRegion  = "us-east-1"
	motoAccount = "123456789012"
	trailName   = "cis-trail"
	logGroup    = "cis-trail-logs"
	trailRole   = "arn:aws:iam::" + motoAccount + ":role/CloudTrailToLogs"
)

// auditAccount is an account of one backend with SDK clients in motoRegion, and what the test
// built in it.
type auditAccount struct {
	t      *testing.T
	srv    *mototest.Server // moto; nil on the emulator
	emu    *awsemu.Emulator // the emulator; nil on moto
	trails *cloudtrail.Client
	logs   *cloudwatchlogs.Client
	cw     *cloudwatch.Client
	sns    *sns.Client
	topic  string
}

// backends runs f as a subtest against moto and against the emulator, each with its own account.
func backends(t *testing.T, f func(t *testing.T, m *auditAccount)) {
	t.Run("moto", func(t *testing.T) { f(t, startMoto(t)) })
	t.Run("emulator", func(t *testing.T) { f(t, startEmulator(t)) })
}

func auditCreds() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDAUDITTEST", SecretAccessKey: "secret", Source: "test"}, nil
	})
}

func startMoto(t *testing.T) *auditAccount {
	t.Helper()
	srv := mototest.Start(t)
	cfg := aws.Config{Region: motoRegion, BaseEndpoint: aws.String(srv.URL), Credentials: auditCreds(), RetryMaxAttempts: 1}
	m := &auditAccount{t: t, srv: srv}
	m.clientsFrom(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) })
	return m
}

func startEmulator(t *testing.T) *auditAccount {
	t.Helper()
	m := &auditAccount{t: t}
	m.newEmulator()
	return m
}

// newEmulator gives the account a fresh, empty emulator: the emulator's reset.
func (m *auditAccount) newEmulator() {
	m.emu = awsemu.New(awsemu.Options{Region: motoRegion, AccountID: motoAccount})
	cfg := aws.Config{Region: motoRegion, BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: awsemu.InProcessClient(m.emu),
		Credentials: auditCreds(), RetryMaxAttempts: 1}
	m.clientsFrom(cfg)
}

func (m *auditAccount) clientsFrom(cfg aws.Config, cwOpts ...func(*cloudwatch.Options)) {
	m.trails = cloudtrail.NewFromConfig(cfg)
	m.logs = cloudwatchlogs.NewFromConfig(cfg)
	m.cw = cloudwatch.NewFromConfig(cfg, cwOpts...)
	m.sns = sns.NewFromConfig(cfg)
}

func (m *auditAccount) must(err error, what string) {
	m.t.Helper()
	if err != nil {
		m.t.Fatalf("%s: %v", what, err)
	}
}

func (m *auditAccount) clients() []Region {
	return []Region{{Name: motoRegion, Clients: Clients{CloudTrail: m.trails, Logs: m.logs, CloudWatch: m.cw, SNS: m.sns}}}
}

// reset empties the account and makes what a trail presumes exists: its bucket (and, on the
// emulator, which checks it, its CloudWatch Logs role).
func (m *auditAccount) reset() {
	m.t.Helper()
	if m.srv != nil {
		m.srv.Reset(m.t)
		m.srv.CreateBucket(m.t, "cis-trail-bucket")
		return
	}
	m.newEmulator()
	m.emu.SeedBucket("cis-trail-bucket")
	m.emu.SeedRole(trailRole)
}

// buildCompliant makes the account Security Hub passes on all fourteen controls, with the
// filters given by pattern (the preset's by default).
func (m *auditAccount) buildCompliant(pattern func(presets.Control) string) {
	m.t.Helper()
	ctx := context.Background()
	m.reset()
	_, err := m.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(logGroup)})
	m.must(err, "create log group")
	topic, err := m.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("cis-alarms")})
	m.must(err, "create topic")
	m.topic = aws.ToString(topic.TopicArn)
	m.subscribe()
	_, err = m.trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String(trailName), S3BucketName: aws.String("cis-trail-bucket"), IsMultiRegionTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:" + motoRegion + ":" + motoAccount + ":log-group:" + logGroup + ":*"),
		CloudWatchLogsRoleArn:     aws.String(trailRole),
	})
	m.must(err, "create trail")
	_, err = m.trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailName)})
	m.must(err, "start logging")
	m.selectors(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)})
	for _, c := range presets.CISControls() {
		m.putFilter(c, pattern(c))
		m.putAlarm(c)
	}
}

// subscribe subscribes secops@example.com to the topic and confirms it, as its recipient
// following the link would (moto confirms every subscription itself).
func (m *auditAccount) subscribe() {
	m.subscribePending()
	if m.emu != nil {
		m.must(m.emu.ConfirmPending(m.topic, "email", "secops@example.com"), "confirm subscription")
	}
}

// subscribePending subscribes secops@example.com to the topic; on the emulator, as on AWS, the
// subscription is PendingConfirmation until confirmed.
func (m *auditAccount) subscribePending() {
	_, err := m.sns.Subscribe(context.Background(), &sns.SubscribeInput{TopicArn: aws.String(m.topic), Protocol: aws.String("email"),
		Endpoint: aws.String("secops@example.com"), ReturnSubscriptionArn: true})
	m.must(err, "subscribe")
}

func (m *auditAccount) selectors(sel cttypes.EventSelector) {
	_, err := m.trails.PutEventSelectors(context.Background(), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trailName), EventSelectors: []cttypes.EventSelector{sel}})
	m.must(err, "put event selectors")
}

func (m *auditAccount) putFilter(c presets.Control, pattern string) {
	_, err := m.logs.PutMetricFilter(context.Background(), &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String(logGroup), FilterName: aws.String(c.AlarmName()), FilterPattern: aws.String(pattern),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String(c.AlarmName()), MetricNamespace: aws.String("CISBenchmark"), MetricValue: aws.String("1")}},
	})
	m.must(err, "put metric filter "+c.AlarmName())
}

func (m *auditAccount) deleteFilter(c presets.Control) {
	_, err := m.logs.DeleteMetricFilter(context.Background(), &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(logGroup), FilterName: aws.String(c.AlarmName())})
	m.must(err, "delete metric filter")
}

func (m *auditAccount) putAlarm(c presets.Control) {
	_, err := m.cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(c.AlarmName()), MetricName: aws.String(c.AlarmName()), Namespace: aws.String("CISBenchmark"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, AlarmActions: []string{m.topic},
	})
	m.must(err, "put alarm "+c.AlarmName())
}

// audit runs the audit and returns each control's status and reason.
func (m *auditAccount) audit() (*Report, map[string]Row) {
	m.t.Helper()
	r := Run(context.Background(), m.clients())
	rows := map[string]Row{}
	for _, row := range r.Rows {
		rows[row.Control] = row
	}
	if len(rows) != 14 {
		m.t.Fatalf("%d rows, want 14", len(rows))
	}
	return r, rows
}

// expect checks that exactly the controls in failing fail, each with reason in its reason, and
// every other control passes.
func (m *auditAccount) expect(failing []string, reason string) {
	m.t.Helper()
	report, rows := m.audit()
	for _, c := range presets.CISControls() {
		row := rows[c.ID]
		wantFail := len(failing) == 14 || contains(failing, c.ID)
		switch {
		case wantFail && (row.Status != Fail || !strings.Contains(row.Reason, reason)):
			m.t.Errorf("%s: got %s %q, want FAIL with %q", c.ID, row.Status, row.Reason, reason)
		case !wantFail && row.Status != Pass:
			m.t.Errorf("%s: got %s %q, want PASS", c.ID, row.Status, row.Reason)
		}
	}
	want := ExitPass
	if len(failing) > 0 {
		want = ExitFail
	}
	if got := report.ExitCode(); got != want {
		m.t.Errorf("exit code %d, want %d", got, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var allControls = func() []string {
	var out []string
	for _, c := range presets.CISControls() {
		out = append(out, c.ID)
	}
	return out
}()

func presetPattern(c presets.Control) string { return c.Pattern }

// TestAuditCompliantAccount: the account built from the preset's patterns passes everything,
// and each row names the whole chain.
func TestAuditCompliantAccount(t *testing.T) { backends(t, auditCompliantAccount) }

func auditCompliantAccount(t *testing.T, m *auditAccount) {
	m.buildCompliant(presetPattern)
	m.expect(nil, "")
	_, rows := m.audit()
	row := rows["CloudWatch.7"]
	want := Row{Control: "CloudWatch.7", Title: row.Title, Status: Pass, Reason: row.Reason, Region: motoRegion, Trail: trailName,
		LogGroup: logGroup, MetricFilter: "cis-cloudwatch-7-cmk-disable-or-deletion", Alarm: "cis-cloudwatch-7-cmk-disable-or-deletion", Topic: m.topic}
	if row != want {
		t.Errorf("CloudWatch.7 row:\n got  %+v\n want %+v", row, want)
	}
	if !strings.Contains(row.Reason, "1 confirmed, e.g. email:secops@example.com") {
		t.Errorf("reason %q", row.Reason)
	}
}

// TestAuditAcceptsEveryPublishedText: an account built from the CIS texts (CIS spacing, and for
// CloudWatch.3, .4 and .13 the CIS patterns themselves) passes as well.
func TestAuditAcceptsEveryPublishedText(t *testing.T) {
	backends(t, func(t *testing.T, m *auditAccount) {
		m.buildCompliant(func(c presets.Control) string { return c.Variants[len(c.Variants)-1] })
		m.expect(nil, "")
	})
}

// TestAuditBrokenAccounts breaks the compliant account one way at a time and repairs it.
func TestAuditBrokenAccounts(t *testing.T) { backends(t, auditBrokenAccounts) }

func auditBrokenAccounts(t *testing.T, m *auditAccount) {
	m.buildCompliant(presetPattern)
	ctx := context.Background()

	t.Run("each control's pattern changed", func(t *testing.T) {
		for _, c := range presets.CISControls() {
			m.t = t
			m.deleteFilter(c)
			// One space inside a quoted value, or one clause more: both change what is compared.
			changed := strings.Replace(c.Pattern, "}", " && ($.eventType = \"AwsApiCall\")}", 1)
			m.putFilter(c, changed)
			m.expect([]string{c.ID}, "has no metric filter with the published "+c.ID+" pattern")
			m.deleteFilter(c)
			m.putFilter(c, c.Pattern)
		}
	})
	t.Run("alarm deleted", func(t *testing.T) {
		m.t = t
		cw7 := presets.CISControls()[6]
		_, err := m.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{cw7.AlarmName()}})
		m.must(err, "delete alarm")
		m.expect([]string{"CloudWatch.7"}, "publishes CISBenchmark/cis-cloudwatch-7-cmk-disable-or-deletion, which no alarm watches")
		m.putAlarm(cw7)
		m.expect(nil, "")
	})
	t.Run("subscription removed", func(t *testing.T) {
		m.t = t
		subs, err := m.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(m.topic)})
		m.must(err, "list subscriptions")
		for _, s := range subs.Subscriptions {
			_, err := m.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn})
			m.must(err, "unsubscribe")
		}
		m.expect(allControls, "topic "+m.topic+" has no subscription")
		m.subscribe()
		m.expect(nil, "")
	})
	t.Run("topic deleted", func(t *testing.T) {
		m.t = t
		_, err := m.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(m.topic)})
		m.must(err, "delete topic")
		m.expect(allControls, "notifies topic "+m.topic+", which does not exist")
		_, err = m.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("cis-alarms")})
		m.must(err, "create topic")
		m.subscribe()
		m.expect(nil, "")
	})
	t.Run("trail single-region", func(t *testing.T) {
		m.t = t
		m.updateTrail(false)
		m.expect(allControls, "trail cis-trail is single-region")
		m.updateTrail(true)
		m.expect(nil, "")
	})
	t.Run("trail stopped", func(t *testing.T) {
		m.t = t
		_, err := m.trails.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trailName)})
		m.must(err, "stop logging")
		m.expect(allControls, "trail cis-trail is not logging")
		_, err = m.trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailName)})
		m.must(err, "start logging")
		m.expect(nil, "")
	})
	t.Run("KMS events excluded", func(t *testing.T) {
		m.t = t
		m.selectors(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
			ExcludeManagementEventSources: []string{"kms.amazonaws.com"}})
		m.expect(allControls, "does not log every management event: it excludes the management events of kms.amazonaws.com")
	})
	t.Run("write-only management events", func(t *testing.T) {
		m.t = t
		m.selectors(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true)})
		m.expect(allControls, "it logs only Write management events (ReadWriteType WriteOnly), not all")
	})
	t.Run("management events off", func(t *testing.T) {
		m.t = t
		m.selectors(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false)})
		m.expect(allControls, "no event selector includes management events")
		m.selectors(cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)})
		m.expect(nil, "")
	})
	t.Run("no trail", func(t *testing.T) {
		m.t = t
		_, err := m.trails.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trailName)})
		m.must(err, "delete trail")
		m.expect(allControls, "no CloudTrail trail")
	})
}

func (m *auditAccount) updateTrail(multiRegion bool) {
	_, err := m.trails.UpdateTrail(context.Background(), &cloudtrail.UpdateTrailInput{Name: aws.String(trailName), IsMultiRegionTrail: aws.Bool(multiRegion)})
	m.must(err, fmt.Sprintf("update trail multi-region %v", multiRegion))
}

// TestAuditPendingSubscription (emulator: moto confirms every subscription): a topic whose only
// subscriber has not confirmed notifies nobody, so every control fails; once confirmed, all pass.
func TestAuditPendingSubscription(t *testing.T) {
	m := startEmulator(t)
	m.buildCompliant(presetPattern)
	subs, err := m.sns.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(m.topic)})
	m.must(err, "list subscriptions")
	for _, s := range subs.Subscriptions {
		_, err := m.sns.Unsubscribe(context.Background(), &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn})
		m.must(err, "unsubscribe")
	}
	m.subscribePending()
	m.expect(allControls, "topic "+m.topic+" has no confirmed subscription (1 PendingConfirmation)")
	m.must(m.emu.ConfirmPending(m.topic, "email", "secops@example.com"), "confirm")
	m.expect(nil, "")
}

// TestAuditAdvancedSelectors (emulator: moto does not report advanced event selectors as AWS
// does): a trail on advanced selectors passes when they log every management event, and fails
// when they drop KMS's, keep only writes or log data events only.
func TestAuditAdvancedSelectors(t *testing.T) {
	m := startEmulator(t)
	m.buildCompliant(presetPattern)
	field := func(name string, equals, notEquals []string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: aws.String(name), Equals: equals, NotEquals: notEquals}
	}
	mgmt := field("eventCategory", []string{"Management"}, nil)
	cases := []struct {
		name    string
		fields  []cttypes.AdvancedFieldSelector
		failing []string
		reason  string
	}{
		{"every management event", []cttypes.AdvancedFieldSelector{mgmt}, nil, ""},
		{"KMS events dropped", []cttypes.AdvancedFieldSelector{mgmt, field("eventSource", nil, []string{"kms.amazonaws.com"})},
			allControls, "it filters management events by event source (kms.amazonaws.com)"},
		{"writes only", []cttypes.AdvancedFieldSelector{mgmt, field("readOnly", []string{"false"}, nil)},
			allControls, "it logs only readOnly=false management events, not all"},
		{"data events only", []cttypes.AdvancedFieldSelector{field("eventCategory", []string{"Data"}, nil),
			field("resources.type", []string{"AWS::S3::Object"}, nil)}, allControls, "no event selector includes management events"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m.t = t
			_, err := m.trails.PutEventSelectors(context.Background(), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trailName),
				AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String(tc.name), FieldSelectors: tc.fields}}})
			m.must(err, "put advanced event selectors")
			m.expect(tc.failing, tc.reason)
		})
	}
}

// TestAuditTrailHomedElsewhere (emulator: it shows a multi-region trail homed in another region
// as a shadow, as CloudTrail does): Security Hub evaluates a trail in its home region, so the
// region that only sees the shadow fails every control and names where the trail is homed.
func TestAuditTrailHomedElsewhere(t *testing.T) {
	m := startEmulator(t)
	m.buildCompliant(presetPattern)
	ctx := context.Background()
	_, err := m.trails.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trailName)})
	m.must(err, "delete trail")
	west := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: awsemu.InProcessClient(m.emu),
		Credentials: auditCreds(), RetryMaxAttempts: 1}
	_, err = cloudtrail.NewFromConfig(west).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("west-trail"),
		S3BucketName: aws.String("cis-trail-bucket"), IsMultiRegionTrail: aws.Bool(true)})
	m.must(err, "create trail in eu-west-1")
	m.expect(allControls, "no trail homed here; Security Hub evaluates west-trail (homed in eu-west-1) in its home region or account")
}
