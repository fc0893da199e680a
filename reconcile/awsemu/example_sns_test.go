package awsemu_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// An email subscription stays pending until its link is followed; only then does it receive
// what is published. The outbox shows both the confirmation request and the notification.
func ExampleEmulator_Outbox() {
	e := awsemu.New(awsemu.Options{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	srv, err := awsemu.Start(e)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()
	c := sns.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: awsemu.HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		})})
	topic, _ := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	sub, _ := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("secops@example.com")})
	fmt.Println("Subscribe:", aws.ToString(sub.SubscriptionArn))
	_, _ = c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("before confirming")})
	if err := e.ConfirmPending(aws.ToString(topic.TopicArn), "email", "secops@example.com"); err != nil {
		panic(err)
	}
	_, _ = c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Subject: aws.String("Hello"), Message: aws.String("after confirming")})
	for _, d := range e.Outbox() {
		fmt.Printf("%s to %s: %q\n", d.Type, d.Endpoint, d.Subject)
	}
	// Output:
	// Subscribe: pending confirmation
	// SubscriptionConfirmation to secops@example.com: "AWS Notification - Subscription Confirmation"
	// Notification to secops@example.com: "Hello"
}
