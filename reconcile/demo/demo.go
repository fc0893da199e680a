package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/examples"
	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/spec"
)

// The cast: who signs which calls, so that CloudTrail records name them.
const (
	keyKMSWatch = "AKIAKMSWATCHDEMO0001"
	keyOperator = "AKIAOPERATORDEMO0001"
	keyApp      = "ASIAAPPTASKDEMO00001"
	operator    = "jane.operator"
)

// Run plays the lab and writes the story to out.
func Run(ctx context.Context, out io.Writer) error {
	started := time.Now()
	data, err := examples.FS.ReadFile(examples.Lab)
	if err != nil {
		return fmt.Errorf("read the embedded %s: %w", examples.Lab, err)
	}
	file, err := spec.LoadBytes(data, "examples/"+examples.Lab)
	if err != nil {
		return fmt.Errorf("load examples/%s: %w", examples.Lab, err)
	}
	lab, err := newLab(file.Monitors[0])
	if err != nil {
		return err
	}
	defer lab.close()
	s := &story{p: &printer{w: out}, lab: lab, file: file, m: file.Monitors[0]}
	s.intro()
	for _, scene := range []func(context.Context) error{s.converge, s.drifts, s.confirm, s.failingCalls, s.alarm, s.deadMansSwitch} {
		if err := scene(ctx); err != nil {
			return err
		}
	}
	s.p.title(fmt.Sprintf("Done in %.1fs. Next: kmswatch --sandbox -f examples/monitor.yaml (a daemon you can drift with the AWS CLI),", time.Since(started).Seconds()))
	s.p.say("or kmswatch -f monitor.yaml against your account. kmswatch validate checks a file offline.")
	return nil
}

// story is the demo's state as its scenes play: who prints, the emulated account, the spec and
// the last pass's result.
type story struct {
	p    *printer
	lab  *lab
	file *spec.File
	m    spec.Monitor
	res  *reconcile.Result
	// lastBeat is when kmswatch last made its heartbeat (on the emulated clock).
	lastBeat time.Time
}

// pass runs one kmswatch pass over the spec.
func (s *story) pass(ctx context.Context, what string, dryRun bool) error {
	res, err := s.lab.ctrl.Reconcile(ctx, s.file.Monitors, dryRun)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	s.res = res
	return nil
}

func (s *story) intro() {
	p := s.p
	p.title("kmswatch demo: the AWS KMS lab, end to end, in an emulated AWS account")
	p.say("Nothing leaves this machine: an in-process emulator answers the real AWS SDK, and its clock")
	p.say("is the demo's to move. The spec is examples/monitor.yaml: trail → log group → metric filter")
	p.say("→ alarm → SNS topic → email, watching for failed KMS calls by the application's task role.")
	if len(s.file.Warnings) > 0 {
		p.say("The validator warns about values the lab chose (kept here on purpose):")
	}
	for _, w := range s.file.Warnings {
		p.note(w.Path + ": " + w.Msg)
	}
}

// converge: the plan for an empty account, the converge, and a second pass that writes nothing.
func (s *story) converge(ctx context.Context) error {
	s.p.step("What kmswatch would do to an empty account (kmswatch --once --dry-run)")
	if err := s.pass(ctx, "plan", true); err != nil {
		return err
	}
	s.p.changes(s.res, true, false)
	s.p.step("Converge (kmswatch --once)")
	if err := s.pass(ctx, "converge", false); err != nil {
		return err
	}
	s.p.changes(s.res, false, false)
	if err := s.pass(ctx, "second pass", false); err != nil {
		return err
	}
	s.p.say(fmt.Sprintf("A second pass: %d resources unchanged, %d AWS calls, %d of them writes.",
		countAction(s.res, reconcile.ActionNoop), total(s.res.Calls), awsop.Writes(s.res.Calls)))
	if err := s.heartbeat(ctx); err != nil {
		return err
	}
	s.p.say("kmswatch makes its first heartbeat (kms:ListAliases as itself); it will every 5 minutes, as the daemon does.")
	// The pass's own pipeline checks: what is in place but not yet doing its job.
	s.p.warnings(s.res)
	return nil
}

// drifts: an operator changes things behind kmswatch's back; each next pass puts them back.
func (s *story) drifts(ctx context.Context) error {
	s.p.step("Someone changes things behind kmswatch's back; each next pass puts them back")
	alarm, trail := s.m.Spec.Alarms[0].Name, s.m.Spec.Trail.Name
	drifts := []struct {
		what string
		do   func(context.Context) error
	}{
		{fmt.Sprintf("%s raises the alarm's threshold to 100 (cloudwatch PutMetricAlarm)", operator), func(ctx context.Context) error { return s.lab.raiseThreshold(ctx, alarm, 100) }},
		{fmt.Sprintf("%s stops the trail (cloudtrail StopLogging)", operator), func(ctx context.Context) error {
			_, err := s.lab.opTrail.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trail)})
			return err
		}},
		{fmt.Sprintf("%s excludes KMS events from the trail (cloudtrail PutEventSelectors)", operator), func(ctx context.Context) error {
			_, err := s.lab.opTrail.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail),
				EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
					ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
			return err
		}},
	}
	for _, d := range drifts {
		s.p.bullet(d.what)
		if err := d.do(ctx); err != nil {
			return fmt.Errorf("make drift: %w", err)
		}
		if err := s.pass(ctx, "repair", false); err != nil {
			return err
		}
		s.p.changes(s.res, false, true)
	}
	return nil
}

// confirm: the security team clicks the email's confirmation link.
func (s *story) confirm(ctx context.Context) error {
	s.p.step("The security team confirms the email subscription")
	topic := s.m.Spec.Topics[0]
	sub := topic.Subscriptions[0]
	subID := fmt.Sprintf("%s/%s/%s/%s", reconcile.KindSubscription, topic.Name, sub.Protocol, sub.Endpoint)
	beforeState := subscriptionState(s.res, subID)
	s.p.say(fmt.Sprintf("SNS emailed %s a confirmation link; until it is clicked, alarms reach nobody.", sub.Endpoint))
	if err := s.lab.confirm(ctx, sub.Protocol, sub.Endpoint); err != nil {
		return err
	}
	if err := s.pass(ctx, "pass after confirmation", false); err != nil {
		return err
	}
	s.p.say(fmt.Sprintf("The link is clicked (sns ConfirmSubscription). kmswatch sees %s: %s → %s",
		subID, beforeState, subscriptionState(s.res, subID)))
	return nil
}

// failingCalls: the application's task role makes failing Decrypt calls.
func (s *story) failingCalls(ctx context.Context) error {
	s.p.step("The application's task role makes failing KMS calls")
	n, code, err := s.lab.failingDecrypts(ctx, 3)
	if err != nil {
		return err
	}
	s.p.say(fmt.Sprintf("3 Decrypt calls as %s: %d failed with %s.", s.lab.appRoleArn, n, code))
	s.p.say("CloudTrail records each one; the trail delivers them to the log group.")
	return nil
}

// alarm: six minutes pass on the emulated clock — CloudTrail delivers within about five — the
// alarm fires and the email arrives.
func (s *story) alarm(ctx context.Context) error {
	s.p.step("Six minutes pass (emulated): CloudTrail delivers a call's record within about five")
	alarm := s.m.Spec.Alarms[0]
	before, err := s.lab.alarmState(ctx, alarm.Name)
	if err != nil {
		return err
	}
	if _, err := s.advance(ctx, awsemu.DefaultTrailDeliveryDelay+time.Minute+10*time.Second); err != nil {
		return err
	}
	after, err := s.lab.alarmState(ctx, alarm.Name)
	if err != nil {
		return err
	}
	s.p.say(fmt.Sprintf("The metric filter counts the failures into %s/%s; the alarm evaluates.", alarm.Metric.Namespace, alarm.Metric.Name))
	s.p.say(fmt.Sprintf("Alarm %s: %s → %s (%s)", alarm.Name, before.StateValue, after.StateValue, aws.ToString(after.StateReason)))
	if after.StateValue != cwtypes.StateValueAlarm {
		return fmt.Errorf("alarm %s is %s after the failing calls, want ALARM", alarm.Name, after.StateValue)
	}
	endpoint := s.m.Spec.Topics[0].Subscriptions[0].Endpoint
	s.p.step(fmt.Sprintf("The email %s receives", endpoint))
	mail, ok := s.lab.notification(endpoint)
	if !ok {
		return errors.New("no notification reached the confirmed subscription")
	}
	s.p.mail(mail)
	return nil
}

// subscriptionState is a subscription's state as a pass reported it.
func subscriptionState(res *reconcile.Result, id string) string {
	for _, c := range res.Changes {
		if c.ID == id {
			if c.State == "" {
				return string(reconcile.StateConfirmed)
			}
			return string(c.State)
		}
	}
	return "absent"
}

// lab is the emulated account and the clients of each actor.
type lab struct {
	emu        *awsemu.Emulator
	srv        *awsemu.Server
	ctrl       *reconcile.Controller
	opAlarms   *cloudwatch.Client
	opTrail    *cloudtrail.Client
	sec        *sns.Client
	app        *kms.Client
	keys       *kms.Client
	appRoleArn string
	region     string
}

func newLab(m spec.Monitor) (*lab, error) {
	region := m.Spec.Region
	if region == "" {
		region = "us-east-1"
	}
	account := accountOf(m.Spec.Trail.CloudWatchLogsRoleArn)
	emu := awsemu.New(awsemu.Options{Region: region, AccountID: account})
	emu.SeedBucket(m.Spec.Trail.S3BucketName)
	emu.SeedRole(m.Spec.Trail.CloudWatchLogsRoleArn)
	appRole := "arn:aws:iam::" + account + ":role/pattern1-app-Pattern1ECSTaskRole"
	emu.AddUser(keyKMSWatch, "kmswatch")
	emu.AddUser(keyOperator, operator)
	emu.AddRoleSession(keyApp, appRole, "pattern1-app-task")
	srv, err := awsemu.Start(emu)
	if err != nil {
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	cfg := func(key string) aws.Config {
		return aws.Config{Region: region, BaseEndpoint: aws.String(srv.URL), HTTPClient: awsemu.HTTPClient(),
			Credentials: credentials.NewStaticCredentialsProvider(key, "demo", "")}
	}
	clients := awsclient.New(cfg(keyKMSWatch), awsclient.Options{})
	env := reconcile.Env{Region: region, AccountID: emu.AccountID(), Partition: "aws"}
	return &lab{
		emu: emu, srv: srv,
		ctrl:       reconcile.NewController(clients, env, logr.Discard(), reconcile.Options{Now: emu.Now}),
		opAlarms:   cloudwatch.NewFromConfig(cfg(keyOperator)),
		opTrail:    cloudtrail.NewFromConfig(cfg(keyOperator)),
		sec:        sns.NewFromConfig(cfg(keyOperator)),
		app:        kms.NewFromConfig(cfg(keyApp)),
		keys:       kms.NewFromConfig(cfg(keyOperator)),
		appRoleArn: appRole,
		region:     region,
	}, nil
}

func (l *lab) close() { _ = l.srv.Close() }

// accountOf is the account id in an ARN, or the emulator's default.
func accountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 4 && len(parts[4]) == 12 {
		return parts[4]
	}
	return ""
}

// raiseThreshold rewrites the alarm as an operator would in the console: every field kept, the
// threshold raised. PutMetricAlarm replaces the whole alarm, so everything must be sent again.
func (l *lab) raiseThreshold(ctx context.Context, name string, to float64) error {
	out, err := l.opAlarms.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return err
	}
	if len(out.MetricAlarms) != 1 {
		return fmt.Errorf("describe alarm %s: not found", name)
	}
	a := out.MetricAlarms[0]
	_, err = l.opAlarms.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled,
		AlarmActions: a.AlarmActions, OKActions: a.OKActions, InsufficientDataActions: a.InsufficientDataActions,
		MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic, Period: a.Period,
		EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold: aws.Float64(to), ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
		Dimensions: a.Dimensions, Unit: a.Unit,
	})
	return err
}

// confirm does what clicking the link in the confirmation email does: ConfirmSubscription with
// the token that SNS sent to the endpoint.
func (l *lab) confirm(ctx context.Context, protocol, endpoint string) error {
	for _, d := range l.emu.Outbox() {
		if d.Type == "SubscriptionConfirmation" && d.Protocol == protocol && d.Endpoint == endpoint {
			_, err := l.sec.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(d.TopicArn), Token: aws.String(d.Token)})
			if err != nil {
				return fmt.Errorf("confirm subscription of %s: %w", endpoint, err)
			}
			return nil
		}
	}
	return fmt.Errorf("confirm subscription of %s: no confirmation message was sent to it", endpoint)
}

// failingDecrypts has the application encrypt with its key and then decrypt n times naming
// another key: KMS refuses each with IncorrectKeyException, the lab's failure.
func (l *lab) failingDecrypts(ctx context.Context, n int) (failed int, code string, err error) {
	appKey, err := l.keys.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("pattern1 application data key")})
	if err != nil {
		return 0, "", fmt.Errorf("create key: %w", err)
	}
	otherKey, err := l.keys.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("another team's key")})
	if err != nil {
		return 0, "", fmt.Errorf("create key: %w", err)
	}
	enc, err := l.app.Encrypt(ctx, &kms.EncryptInput{KeyId: appKey.KeyMetadata.KeyId, Plaintext: []byte("card number 4111 1111 1111 1111")})
	if err != nil {
		return 0, "", fmt.Errorf("encrypt: %w", err)
	}
	for range n {
		_, err := l.app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: otherKey.KeyMetadata.KeyId})
		if err == nil {
			continue
		}
		failed++
		code = errorCode(err)
	}
	return failed, code, nil
}

func (l *lab) alarmState(ctx context.Context, name string) (cwtypes.MetricAlarm, error) {
	out, err := l.opAlarms.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return cwtypes.MetricAlarm{}, fmt.Errorf("describe alarm %s: %w", name, err)
	}
	if len(out.MetricAlarms) != 1 {
		return cwtypes.MetricAlarm{}, fmt.Errorf("describe alarm %s: not found", name)
	}
	return out.MetricAlarms[0], nil
}

// notification is the last alarm notification delivered to endpoint.
func (l *lab) notification(endpoint string) (awsemu.Delivery, bool) {
	var last awsemu.Delivery
	found := false
	for _, d := range l.emu.Outbox() {
		if d.Type == "Notification" && d.Endpoint == endpoint {
			last, found = d, true
		}
	}
	return last, found
}
