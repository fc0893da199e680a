package awsemu

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestCloudTrailToMetricFilterPipeline runs records → log events → datapoints: failing KMS calls
// by the task role, delivered by a logging trail, counted by a metric filter with defaultValue 0,
// read back per minute through CloudWatch.
func TestCloudTrailToMetricFilterPipeline(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	rec := logsDatumRecorder(e)
	const taskRole = "arn:aws:iam::123456789012:role/pattern1-app-TaskRole"
	e.AddRoleSession("AKIDTASK", taskRole, "ecs-task")
	appCfg := cfg.Copy()
	appCfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDTASK", SecretAccessKey: "secret"}, nil
	})
	logs := cloudwatchlogs.NewFromConfig(cfg)
	logsPutFilter(t, logs, ctGroup, "kms-errors",
		`{ ($.eventSource = kms.amazonaws.com) && ($.errorCode = "*") && ($.userIdentity.sessionContext.sessionIssuer.arn = "`+taskRole+`") }`,
		&logstypes.MetricTransformation{MetricName: aws.String("KMSSecurityError"), MetricNamespace: aws.String("Pattern1/KMS"),
			MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)})
	ct := cloudtrail.NewFromConfig(cfg)
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), IsMultiRegionTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	admin, app := kms.NewFromConfig(cfg), kms.NewFromConfig(appCfg)
	key := kmsMustKey(t, admin, "app key")
	enc, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	t0 := e.Now() // 05:06: setup records only, none matching; delivered (and stamped) at 05:07

	e.Advance(time.Minute) // 05:07: three failures by the task role, one by someone else, one success
	for i := 0; i < 3; i++ {
		if _, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("garbage")}); err == nil {
			t.Fatal("garbage decrypted")
		}
	}
	if _, err := admin.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("garbage")}); err == nil {
		t.Fatal("garbage decrypted")
	}
	if _, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute) // 05:08: only a Logs read — events but no match → 0
	if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	e.Advance(3 * time.Minute) // 05:09 onwards: no events at all → nothing

	// CloudTrail stamps each log event with its delivery, the next whole minute: the setup's
	// records count at 05:07 (no match: 0), the failures at 05:08, the Logs read at 05:09.
	want := []string{
		"Pattern1/KMS/KMSSecurityError 05:08:00.000 1 ",
		"Pattern1/KMS/KMSSecurityError 05:08:00.000 1 ",
		"Pattern1/KMS/KMSSecurityError 05:08:00.000 1 ",
		"Pattern1/KMS/KMSSecurityError 05:07:00.000 0 ",
		"Pattern1/KMS/KMSSecurityError 05:09:00.000 0 ",
	}
	if got := rec(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("datapoints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	cw := cloudwatch.NewFromConfig(cfg)
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Pattern1/KMS"), MetricName: aws.String("KMSSecurityError")},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults[0]
	var series []string
	for i := range r.Timestamps {
		series = append(series, fmt.Sprintf("%s=%g", r.Timestamps[i].Format("15:04"), r.Values[i]))
	}
	if strings.Join(series, " ") != "05:07=0 05:08=3 05:09=0" {
		t.Fatalf("CloudWatch sums per minute: %v", series)
	}
}
