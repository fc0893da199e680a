package awsemu

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// The in-process client carries every protocol the emulator speaks: real SDK operations on each
// service, with no socket anywhere.
func TestInProcessClientAcrossServices(t *testing.T) {
	e := New(Options{Start: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)})
	e.SeedBucket("trail-bucket")
	e.SeedRole(ctRole)
	cfg := emuConfig(e, "AKIDINPROC")
	ctx := context.Background()

	// SNS, awsQuery.
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts"),
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	// CloudWatch, RPC v2 CBOR, with a request body over the size at which the loopback race
	// showed (a DescribeAlarms of 100 names).
	cw := cloudwatch.NewFromConfig(cfg)
	in := alarmInput("a-0")
	in.AlarmActions = []string{aws.ToString(topic.TopicArn)}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 100)
	for i := range names {
		names[i] = fmt.Sprintf("a-%d-%s", i, "padding-padding-padding")
	}
	names[0] = "a-0"
	da, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil || len(da.MetricAlarms) != 1 || da.MetricAlarms[0].AlarmActions[0] != aws.ToString(topic.TopicArn) {
		t.Fatalf("DescribeAlarms: %+v %v", da, err)
	}
	// CloudWatch Logs and CloudTrail, awsJson 1.1.
	logsCreateGroup(t, cloudwatchlogs.NewFromConfig(cfg), ctGroup)
	ct := cloudtrail.NewFromConfig(cfg)
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("lab-trail"), CloudWatchLogsLogGroupArn: aws.String(ctGroupAr),
		CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("lab-trail")}); err != nil {
		t.Fatal(err)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("lab-trail")})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("GetTrailStatus: %+v %v", st, err)
	}
	// KMS: a real round trip of ciphertext, and a modeled error with its HTTP status.
	kc := kms.NewFromConfig(cfg)
	key := kmsMustKey(t, kc, "in-process")
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := kc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "secret" {
		t.Fatalf("Decrypt: %q %v", dec.Plaintext, err)
	}
	_, err = kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("11111111-2222-3333-4444-555555555555")})
	wantCode(t, err, "NotFoundException")
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("DescribeKey of a missing key: want HTTP 400, got %v", err)
	}
	// The Tagging API sees the topic's tag.
	res, err := resourcegroupstaggingapi.NewFromConfig(cfg).GetResources(ctx, &resourcegroupstaggingapi.GetResourcesInput{})
	if err != nil || len(res.ResourceTagMappingList) != 1 || aws.ToString(res.ResourceTagMappingList[0].ResourceARN) != aws.ToString(topic.TopicArn) {
		t.Fatalf("GetResources: %+v %v", res, err)
	}
	// The emulated clock and pipeline run as over HTTP: the trail's records reach its group.
	e.Advance(10 * time.Minute)
	ev, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(ctGroup)})
	if err != nil || len(ev.Events) == 0 {
		t.Fatalf("no CloudTrail records delivered in process: %+v %v", ev, err)
	}
}

// A cancelled request never reaches the emulator; concurrent requests are served one at a time
// without a race (run with -race).
func TestInProcessClientCancelAndConcurrency(t *testing.T) {
	e := New(Options{})
	cw := cloudwatch.NewFromConfig(emuConfig(e, "AKIDINPROC"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
	if n := len(e.Instruments().CallLog()); n != 0 {
		t.Fatalf("a cancelled call reached the emulator: %d calls logged", n)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := cw.PutMetricAlarm(context.Background(), alarmInput(fmt.Sprintf("c-%d", i)))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("c-")})
	if err != nil || len(out.MetricAlarms) != 8 {
		t.Fatalf("want the 8 alarms written concurrently: %d %v", len(out.MetricAlarms), err)
	}
}
