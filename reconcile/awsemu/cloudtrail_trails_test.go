package awsemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

const (
	ctRole    = "arn:aws:iam::123456789012:role/CloudTrailToLogs"
	ctGroup   = "trail-logs"
	ctGroupAr = "arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:*"
)

// ctEnv is logsEnv with the bucket and role a trail needs seeded and the log group created.
func ctEnv(t *testing.T) (*Emulator, aws.Config) {
	t.Helper()
	e, cfg := logsEnv(t)
	// These tests are about what CloudTrail delivers and where; TestCloudTrailDeliveryDelay is
	// about when. Records are delivered at the next tick.
	e.SetTrailDeliveryDelay(0)
	e.SeedBucket("trail-bucket")
	e.SeedRole(ctRole)
	logsCreateGroup(t, cloudwatchlogs.NewFromConfig(cfg), ctGroup)
	return e, cfg
}

// inRegion returns cfg for another region.
func inRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	c.Region = region
	return c
}

func ctCreate(t *testing.T, ct *cloudtrail.Client, in *cloudtrail.CreateTrailInput) *cloudtrail.CreateTrailOutput {
	t.Helper()
	if in.S3BucketName == nil {
		in.S3BucketName = aws.String("trail-bucket")
	}
	out, err := ct.CreateTrail(context.Background(), in)
	if err != nil {
		t.Fatalf("create trail %s: %v", aws.ToString(in.Name), err)
	}
	return out
}

func TestCloudTrailCreateTrailValidation(t *testing.T) {
	_, cfg := ctEnv(t)
	ct := cloudtrail.NewFromConfig(cfg)
	ctx := context.Background()
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("existing")})
	base := func(name string, mod func(*cloudtrail.CreateTrailInput)) *cloudtrail.CreateTrailInput {
		in := &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("trail-bucket")}
		if mod != nil {
			mod(in)
		}
		return in
	}
	cases := []struct {
		name string
		in   *cloudtrail.CreateTrailInput
		code string
	}{
		{"too short", base("ab", nil), "InvalidTrailNameException"},
		{"adjacent punctuation", base("my-_ns", nil), "InvalidTrailNameException"},
		{"double dash", base("my--ns", nil), "InvalidTrailNameException"},
		{"starts with dash", base("-abc", nil), "InvalidTrailNameException"},
		{"ends with dot", base("abc.", nil), "InvalidTrailNameException"},
		{"ip address", base("192.168.5.4", nil), "InvalidTrailNameException"},
		{"space", base("a b c", nil), "InvalidTrailNameException"},
		{"too long", base(strings.Repeat("a", 129), nil), "InvalidTrailNameException"},
		{"duplicate", base("existing", nil), "TrailAlreadyExistsException"},
		{"missing bucket", base("trail1", func(in *cloudtrail.CreateTrailInput) { in.S3BucketName = aws.String("nope") }), "S3BucketDoesNotExistException"},
		{"group ARN without :*", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String(strings.TrimSuffix(ctGroupAr, ":*")), aws.String(ctRole)
		}), "InvalidCloudWatchLogsLogGroupArnException"},
		{"group missing", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String("arn:aws:logs:us-east-1:123456789012:log-group:none:*"), aws.String(ctRole)
		}), "InvalidCloudWatchLogsLogGroupArnException"},
		{"group in another region", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String("arn:aws:logs:eu-west-1:123456789012:log-group:trail-logs:*"), aws.String(ctRole)
		}), "InvalidCloudWatchLogsLogGroupArnException"},
		{"group without role", base("trail1", func(in *cloudtrail.CreateTrailInput) { in.CloudWatchLogsLogGroupArn = aws.String(ctGroupAr) }),
			"InvalidCloudWatchLogsRoleArnException"},
		{"unknown role", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String(ctGroupAr), aws.String("arn:aws:iam::123456789012:role/nope")
		}), "InvalidCloudWatchLogsRoleArnException"},
		{"multi-region without global events", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.IsMultiRegionTrail, in.IncludeGlobalServiceEvents = aws.Bool(true), aws.Bool(false)
		}), "InvalidParameterCombinationException"},
		{"bad kms key", base("trail1", func(in *cloudtrail.CreateTrailInput) { in.KmsKeyId = aws.String("not a key") }), "InvalidKmsKeyIdException"},
		{"51 tags", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			for i := 0; i < 51; i++ {
				in.TagsList = append(in.TagsList, cttypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
			}
		}), "TagsLimitExceededException"},
		{"ok with logs", base("trail1", func(in *cloudtrail.CreateTrailInput) {
			in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String(ctGroupAr), aws.String(ctRole)
		}), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ct.CreateTrail(ctx, tc.in)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			logsWantCode(t, err, tc.code)
		})
	}
	_, err := ct.CreateTrail(ctx, base("existing", nil))
	var exists *cttypes.TrailAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("want typed TrailAlreadyExistsException, got %T", err)
	}
	_, err = ct.CreateTrail(ctx, base("trail9", func(in *cloudtrail.CreateTrailInput) { in.S3BucketName = aws.String("nope") }))
	var noBucket *cttypes.S3BucketDoesNotExistException
	if !errors.As(err, &noBucket) {
		t.Fatalf("want typed S3BucketDoesNotExistException, got %T", err)
	}
	// Five trails per region, shadows of multi-region trails from elsewhere included.
	ctCreate(t, cloudtrail.NewFromConfig(inRegion(cfg, "eu-west-1")), &cloudtrail.CreateTrailInput{Name: aws.String("global"), IsMultiRegionTrail: aws.Bool(true)})
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("trail3")})
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("trail5")})
	_, err = ct.CreateTrail(ctx, base("trail4", nil))
	var max *cttypes.MaximumNumberOfTrailsExceededException
	if !errors.As(err, &max) {
		t.Fatalf("6th trail: want MaximumNumberOfTrailsExceededException, got %v", err)
	}
	// A single-region trail may not take the name of another region's multi-region trail.
	_, err = ct.CreateTrail(ctx, base("global", nil))
	logsWantCode(t, err, "TrailAlreadyExistsException")
}

func TestCloudTrailLifecycle(t *testing.T) {
	e, cfg := ctEnv(t)
	ct := cloudtrail.NewFromConfig(cfg)
	eu := cloudtrail.NewFromConfig(inRegion(cfg, "eu-west-1"))
	ctx := context.Background()
	arn := "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	created := ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), IsMultiRegionTrail: aws.Bool(true),
		EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String("12345678-1234-1234-1234-123456789012"),
		CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole),
		TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if aws.ToString(created.TrailARN) != arn || !aws.ToBool(created.LogFileValidationEnabled) || !aws.ToBool(created.IncludeGlobalServiceEvents) ||
		aws.ToString(created.KmsKeyId) != "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012" {
		t.Fatalf("CreateTrail output %+v", created)
	}
	for _, name := range []string{"main", arn} {
		got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		tr := got.Trail
		if aws.ToString(tr.HomeRegion) != "us-east-1" || !aws.ToBool(tr.IsMultiRegionTrail) || aws.ToBool(tr.HasCustomEventSelectors) ||
			aws.ToString(tr.CloudWatchLogsLogGroupArn) != ctGroupAr || aws.ToString(tr.S3BucketName) != "trail-bucket" {
			t.Fatalf("GetTrail(%s) = %+v", name, tr)
		}
	}
	// A new trail is not logging.
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if err != nil || aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil {
		t.Fatalf("new trail status %+v %v", st, err)
	}
	// The shadow in eu-west-1 is readable (by name or ARN) but not changeable.
	if _, err := eu.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = eu.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")})
	var home *cttypes.InvalidHomeRegionException
	if !errors.As(err, &home) {
		t.Fatalf("StartLogging on a shadow: want InvalidHomeRegionException, got %v", err)
	}
	_, err = eu.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(arn)})
	logsWantCode(t, err, "InvalidHomeRegionException")
	ds, err := eu.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(ds.TrailList) != 1 || aws.ToString(ds.TrailList[0].HomeRegion) != "us-east-1" {
		t.Fatalf("shadow in eu-west-1: %v %+v", err, ds)
	}
	ds, err = eu.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil || len(ds.TrailList) != 0 {
		t.Fatalf("without shadows: %v %+v", err, ds)
	}

	e.Advance(time.Minute)
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	st, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if !aws.ToBool(st.IsLogging) || !aws.ToTime(st.StartLoggingTime).Equal(e.Now()) || aws.ToString(st.TimeLoggingStarted) != "2026-03-04T05:07:00Z" {
		t.Fatalf("after StartLogging %+v", st)
	}
	e.Advance(time.Minute)
	st, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if !aws.ToTime(st.LatestCloudWatchLogsDeliveryTime).Equal(e.Now()) || aws.ToString(st.LatestCloudWatchLogsDeliveryError) != "" {
		t.Fatalf("StartLogging's own record was not delivered: %+v", st)
	}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	st, _ = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if aws.ToBool(st.IsLogging) || !aws.ToTime(st.StopLoggingTime).Equal(e.Now()) {
		t.Fatalf("after StopLogging %+v", st)
	}

	// UpdateTrail is partial; empty strings turn CloudWatch Logs delivery off, as the CLI does.
	up, err := ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), EnableLogFileValidation: aws.Bool(false)})
	if err != nil || aws.ToBool(up.LogFileValidationEnabled) || !aws.ToBool(up.IsMultiRegionTrail) || aws.ToString(up.CloudWatchLogsRoleArn) != ctRole {
		t.Fatalf("partial update: %v %+v", err, up)
	}
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("gone")})
	logsWantCode(t, err, "S3BucketDoesNotExistException")
	up, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")})
	if err != nil || up.CloudWatchLogsLogGroupArn != nil || up.CloudWatchLogsRoleArn != nil || aws.ToString(up.S3BucketName) != "trail-bucket" {
		t.Fatalf("clearing logs delivery: %v %+v", err, up)
	}
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("nope")})
	logsWantCode(t, err, "TrailNotFoundException")

	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})
	var nf *cttypes.TrailNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("GetTrail after delete: %v", err)
	}
	_, err = ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")})
	logsWantCode(t, err, "TrailNotFoundException")
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("arn:aws:cloudtrail:us-east-1:123456789012:main")})
	logsWantCode(t, err, "CloudTrailARNInvalidException")
	e.mu.Lock()
	tagged := e.w.Tags.Has(arn)
	e.mu.Unlock()
	if tagged {
		t.Fatal("tags survived DeleteTrail")
	}
}

func TestCloudTrailDescribeTrailsByName(t *testing.T) {
	_, cfg := ctEnv(t)
	ct := cloudtrail.NewFromConfig(cfg)
	ctx := context.Background()
	for _, n := range []string{"b-trail", "a-trail", "c-trail"} {
		ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String(n)})
	}
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"c-trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/a-trail", "missing"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tr := range out.TrailList {
		names = append(names, aws.ToString(tr.Name))
	}
	if strings.Join(names, ",") != "a-trail,c-trail" {
		t.Fatalf("described %v", names)
	}
	// Another region's single-region trail: only its ARN finds it.
	ctCreate(t, cloudtrail.NewFromConfig(inRegion(cfg, "eu-west-1")), &cloudtrail.CreateTrailInput{Name: aws.String("eu-trail")})
	out, err = ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"eu-trail", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu-trail"}})
	if err != nil || len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].HomeRegion) != "eu-west-1" {
		t.Fatalf("other region by ARN: %v %+v", err, out)
	}
	out, err = ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(out.TrailList) != 3 {
		t.Fatalf("all trails of us-east-1: %v %d", err, len(out.TrailList))
	}
	_, err = ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"arn:aws:sns:x"}})
	logsWantCode(t, err, "CloudTrailARNInvalidException")
}
