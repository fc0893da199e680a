package mototest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func TestStartResetAndBucket(t *testing.T) {
	began := time.Now()
	s := Start(t)
	t.Logf("moto_server answered after %s", time.Since(began).Round(10*time.Millisecond))
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDMOTO", SecretAccessKey: "x"}, nil
		})}
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	if _, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	s.Reset(t)
	list, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 0 {
		t.Fatalf("after Reset: %+v %v", list, err)
	}
	// A trail needs its bucket: without it moto refuses, with it the trail is created.
	ct := cloudtrail.NewFromConfig(cfg)
	in := &cloudtrail.CreateTrailInput{Name: aws.String("trail1"), S3BucketName: aws.String("kmswatch-moto-bucket")}
	_, err = ct.CreateTrail(ctx, in)
	var missing *cttypes.S3BucketDoesNotExistException
	if !errors.As(err, &missing) {
		t.Fatalf("trail without bucket: %v", err)
	}
	s.CreateBucket(t, "kmswatch-moto-bucket")
	if _, err := ct.CreateTrail(ctx, in); err != nil {
		t.Fatalf("trail with bucket: %v", err)
	}
}
