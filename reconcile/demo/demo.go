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
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
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
	p := &printer{w: out}
	data, err := examples.FS.ReadFile(examples.Lab)
	if err != nil {
		return fmt.Errorf("read the embedded %s: %w", examples.Lab, err)
	}
	file, err := spec.LoadBytes(data, "examples/"+examples.Lab)
	if err != nil {
		return fmt.Errorf("load examples/%s: %w", examples.Lab, err)
	}
	m := file.Monitors[0]
	lab, err := newLab(m)
	if err != nil {
		return err
	}
	defer lab.close()

	p.title("kmswatch demo: the AWS KMS lab, end to end, in an emulated AWS account")
	p.say("Nothing leaves this machine: an in-process emulator answers the real AWS SDK, and its clock")
	p.say("is the demo's to move. The spec is examples/monitor.yaml: trail → log group → metric filter")
	p.say("→ alarm → SNS topic → email, watching for failed KMS calls by the application's task role.")
	if len(file.Warnings) > 0 {
		p.say("The validator warns about values the lab chose (kept here on purpose):")
	}
	for _, w := range file.Warnings {
		p.note(w.Path + ": " + w.Msg)
	}

	p.step("What kmswatch would do to an empty account (kmswatch --once --dry-run)")
	res, err := lab.ctrl.Reconcile(ctx, file.Monitors, true)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	p.changes(res, true, false)

	p.step("Converge (kmswatch --once)")
	if res, err = lab.ctrl.Reconcile(ctx, file.Monitors, false); err != nil {
		return fmt.Errorf("converge: %w", err)
	}
	p.changes(res, false, false)
	if res, err = lab.ctrl.Reconcile(ctx, file.Monitors, false); err != nil {
		return fmt.Errorf("second pass: %w", err)
	}
	p.say(fmt.Sprintf("A second pass: %d resources unchanged, %d AWS calls, %d of them writes.",
		countAction(res, reconcile.ActionNoop), total(res.Calls), reconcile.WriteCalls(res.Calls)))
	// The pass's own pipeline checks: what is in place but not yet doing its job.
	p.warnings(res)

	p.step("Someone changes things behind kmswatch's back; each next pass puts them back")
	alarm := m.Spec.Alarms[0].Name
	trail := m.Spec.Trail.Name
	drifts := []struct {
		what string
		do   func(context.Context) error
	}{
		{fmt.Sprintf("%s raises the alarm's threshold to 100 (cloudwatch PutMetricAlarm)", operator), func(ctx context.Context) error { return lab.raiseThreshold(ctx, alarm, 100) }},
		{fmt.Sprintf("%s stops the trail (cloudtrail StopLogging)", operator), func(ctx context.Context) error {
			_, err := lab.opTrail.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trail)})
			return err
		}},
		{fmt.Sprintf("%s excludes KMS events from the trail (cloudtrail PutEventSelectors)", operator), func(ctx context.Context) error {
			_, err := lab.opTrail.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail),
				EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
					ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
			return err
		}},
	}
	for _, d := range drifts {
		p.bullet(d.what)
		if err := d.do(ctx); err != nil {
			return fmt.Errorf("make drift: %w", err)
		}
		if res, err = lab.ctrl.Reconcile(ctx, file.Monitors, false); err != nil {
			return fmt.Errorf("repair: %w", err)
		}
		p.changes(res, false, true)
	}

	p.step("The security team confirms the email subscription")
	topic := m.Spec.Topics[0]
	sub := topic.Subscriptions[0]
	subID := fmt.Sprintf("%s/%s/%s/%s", reconcile.KindSubscription, topic.Name, sub.Protocol, sub.Endpoint)
	beforeState := subscriptionState(res, subID)
	p.say(fmt.Sprintf("SNS emailed %s a confirmation link; until it is clicked, alarms reach nobody.", sub.Endpoint))
	if err := lab.confirm(ctx, sub.Protocol, sub.Endpoint); err != nil {
		return err
	}
	if res, err = lab.ctrl.Reconcile(ctx, file.Monitors, false); err != nil {
		return fmt.Errorf("pass after confirmation: %w", err)
	}
	p.say(fmt.Sprintf("The link is clicked (sns ConfirmSubscription). kmswatch sees %s: %s → %s",
		subID, beforeState, subscriptionState(res, subID)))

	p.step("The application's task role makes failing KMS calls")
	n, code, err := lab.failingDecrypts(ctx, 3)
	if err != nil {
		return err
	}
	p.say(fmt.Sprintf("3 Decrypt calls as %s: %d failed with %s.", lab.appRoleArn, n, code))
	p.say("CloudTrail records each one; the trail delivers them to the log group.")

	p.step("A minute passes (emulated)")
	before, err := lab.alarmState(ctx, alarm)
	if err != nil {
		return err
	}
	lab.emu.Advance(time.Minute + 10*time.Second)
	after, err := lab.alarmState(ctx, alarm)
	if err != nil {
		return err
	}
	p.say(fmt.Sprintf("The metric filter counts the failures into %s/%s; the alarm evaluates.",
		m.Spec.Alarms[0].Metric.Namespace, m.Spec.Alarms[0].Metric.Name))
	p.say(fmt.Sprintf("Alarm %s: %s → %s (%s)", alarm, before.StateValue, after.StateValue, aws.ToString(after.StateReason)))
	if after.StateValue != cwtypes.StateValueAlarm {
		return fmt.Errorf("alarm %s is %s after the failing calls, want ALARM", alarm, after.StateValue)
	}

	p.step(fmt.Sprintf("The email %s receives", sub.Endpoint))
	mail, ok := lab.notification(sub.Endpoint)
	if !ok {
		return errors.New("no notification reached the confirmed subscription")
	}
	p.mail(mail)

	p.title(fmt.Sprintf("Done in %.1fs. Next: kmswatch --sandbox -f examples/monitor.yaml (a daemon you can drift with the AWS CLI),", time.Since(started).Seconds()))
	p.say("or kmswatch -f monitor.yaml against your account. kmswatch validate checks a file offline.")
	return nil
}

// subscriptionState is a subscription's state as a pass reported it.
func subscriptionState(res *reconcile.Result, id string) string {
	for _, c := range res.Changes {
		if c.ID == id {
			if c.State == "" {
				return "Confirmed"
			}
			return c.State
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
	clients := reconcile.NewClients(cfg(keyKMSWatch), reconcile.ClientOptions{})
	env := reconcile.Env{Region: region, AccountID: emu.AccountID(), Partition: "aws"}
	return &lab{
		emu: emu, srv: srv,
		ctrl:       reconcile.NewController(clients, env, logr.Discard(), reconcile.Options{}),
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
