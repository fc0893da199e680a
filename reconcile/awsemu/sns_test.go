package awsemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
)

// svcTestEnv starts an emulator (us-east-1, a fixed start time) and returns an SDK config for it.
func svcTestEnv(t *testing.T) (*Emulator, aws.Config) {
	t.Helper()
	e := New(Options{Start: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)})
	return e, emuConfig(e, "AKIDSVCTEST")
}

// wantAPIError checks err is an API error with that code and a message containing msg.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestSNSCreateTopic(t *testing.T) {
	_, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	first, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts"),
		Attributes: map[string]string{"DisplayName": "Alerts"},
		Tags:       []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(first.TopicArn); got != "arn:aws:sns:us-east-1:123456789012:alerts" {
		t.Fatalf("TopicArn = %s", got)
	}
	cases := []struct {
		name     string
		in       sns.CreateTopicInput
		code     string
		msg      string
		sameAsV1 bool
	}{
		{name: "same name only", in: sns.CreateTopicInput{Name: aws.String("alerts")}, sameAsV1: true},
		{name: "same attributes and tags", in: sns.CreateTopicInput{Name: aws.String("alerts"),
			Attributes: map[string]string{"DisplayName": "Alerts"}, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}}, sameAsV1: true},
		{name: "different attributes", in: sns.CreateTopicInput{Name: aws.String("alerts"), Attributes: map[string]string{"DisplayName": "Other"}},
			code: "InvalidParameter", msg: "Invalid parameter: Attributes Reason: Topic already exists with different attributes"},
		{name: "different tags", in: sns.CreateTopicInput{Name: aws.String("alerts"), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}},
			code: "InvalidParameter", msg: "Invalid parameter: Tags Reason: Topic already exists with different tags"},
		{name: "bad character", in: sns.CreateTopicInput{Name: aws.String("has space")}, code: "InvalidParameter", msg: "Invalid parameter: Topic Name"},
		{name: "too long", in: sns.CreateTopicInput{Name: aws.String(strings.Repeat("a", 257))}, code: "InvalidParameter", msg: "Topic Name"},
		{name: "fifo suffix without FifoTopic", in: sns.CreateTopicInput{Name: aws.String("q.fifo")}, code: "InvalidParameter", msg: "Topic Name"},
		{name: "unknown attribute", in: sns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Colour": "red"}}, code: "InvalidParameter", msg: "Colour"},
		{name: "bad policy json", in: sns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Policy": "{"}}, code: "InvalidParameter", msg: "Policy"},
		{name: "display name over 100", in: sns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"DisplayName": strings.Repeat("d", 101)}},
			code: "InvalidParameter", msg: "Invalid parameter: Attributes Reason: DisplayName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.CreateTopic(ctx, &tc.in)
			if tc.code != "" {
				wantAPIError(t, err, tc.code, tc.msg)
				return
			}
			if err != nil || aws.ToString(out.TopicArn) != aws.ToString(first.TopicArn) {
				t.Fatalf("got %v %v, want the first ARN", out, err)
			}
		})
	}
	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("q.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil || !strings.HasSuffix(aws.ToString(fifo.TopicArn), ":q.fifo") {
		t.Fatalf("fifo topic: %v %v", fifo, err)
	}
}

func TestSNSTopicAttributes(t *testing.T) {
	_, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	arn := snsMustTopic(t, c, "attrs")
	attrs := snsTopicAttrs(t, c, arn)
	for k, want := range map[string]string{"TopicArn": arn, "Owner": "123456789012", "DisplayName": "",
		"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0", "SubscriptionsDeleted": "0"} {
		if attrs[k] != want {
			t.Errorf("%s = %q, want %q", k, attrs[k], want)
		}
	}
	var policy struct{ Statement []struct{ Resource string } }
	if err := json.Unmarshal([]byte(attrs["Policy"]), &policy); err != nil || len(policy.Statement) != 1 || policy.Statement[0].Resource != arn {
		t.Errorf("default Policy %q: %v", attrs["Policy"], err)
	}
	if !json.Valid([]byte(attrs["EffectiveDeliveryPolicy"])) {
		t.Errorf("EffectiveDeliveryPolicy %q is not JSON", attrs["EffectiveDeliveryPolicy"])
	}
	if _, ok := attrs["KmsMasterKeyId"]; ok {
		t.Error("KmsMasterKeyId present before it was set")
	}
	for name, value := range map[string]string{"DisplayName": "Sec", "KmsMasterKeyId": "alias/aws/sns"} {
		if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
			AttributeName: aws.String(name), AttributeValue: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}
	attrs = snsTopicAttrs(t, c, arn)
	if attrs["DisplayName"] != "Sec" || attrs["KmsMasterKeyId"] != "alias/aws/sns" {
		t.Errorf("after SetTopicAttributes: %v", attrs)
	}
	_, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("FifoTopic"), AttributeValue: aws.String("true")})
	wantAPIError(t, err, "InvalidParameter", "Invalid parameter: AttributeName")
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("TracingConfig"), AttributeValue: aws.String("Sometimes")})
	wantAPIError(t, err, "InvalidParameter", "TracingConfig")
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn + "-missing")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing topic: want NotFoundException, got %v", err)
	}
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("not-an-arn")})
	wantAPIError(t, err, "InvalidParameter", "TopicArn")
}

func TestSNSSubscriptions(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	arn := snsMustTopic(t, c, "subs")

	email, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
	if err != nil || aws.ToString(email.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("email subscribe: %v %v", aws.ToString(email.SubscriptionArn), err)
	}
	withArn, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"),
		Endpoint: aws.String("a@example.com"), ReturnSubscriptionArn: true})
	if err != nil || !strings.HasPrefix(aws.ToString(withArn.SubscriptionArn), arn+":") {
		t.Fatalf("ReturnSubscriptionArn: %v %v", aws.ToString(withArn.SubscriptionArn), err)
	}
	queue, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:q"), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	if err != nil || !strings.HasPrefix(aws.ToString(queue.SubscriptionArn), arn+":") {
		t.Fatalf("same-account sqs is confirmed at once: %v %v", aws.ToString(queue.SubscriptionArn), err)
	}
	again, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:q")})
	if err != nil || aws.ToString(again.SubscriptionArn) != aws.ToString(queue.SubscriptionArn) {
		t.Fatalf("same subscription again: %v %v", aws.ToString(again.SubscriptionArn), err)
	}
	errCases := []struct {
		name      string
		protocol  string
		endpoint  string
		attrs     map[string]string
		code, msg string
	}{
		{"different attributes", "sqs", "arn:aws:sqs:us-east-1:123456789012:q", map[string]string{"RawMessageDelivery": "false"}, "InvalidParameter", "Subscription already exists with different attributes"},
		{"unknown protocol", "carrier-pigeon", "x", nil, "InvalidParameter", "does not support this protocol string: carrier-pigeon"},
		{"bad email", "email", "not-an-address", nil, "InvalidParameter", "Email address"},
		{"http with https url", "http", "https://example.com/hook", nil, "InvalidParameter", "Endpoint must match the specified protocol"},
		{"sqs without arn", "sqs", "my-queue", nil, "InvalidParameter", "SQS endpoint ARN"},
		{"raw delivery on email", "email", "b@example.com", map[string]string{"RawMessageDelivery": "true"}, "InvalidParameter", "does not support raw message delivery"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(tc.protocol), Endpoint: aws.String(tc.endpoint), Attributes: tc.attrs})
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn + "x"), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
	wantAPIError(t, err, "NotFound", "Topic does not exist")

	// Listing: the pending email shows as PendingConfirmation; the queue with its ARN.
	list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil || len(list.Subscriptions) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if aws.ToString(list.Subscriptions[0].SubscriptionArn) != "PendingConfirmation" || aws.ToString(list.Subscriptions[1].SubscriptionArn) != aws.ToString(queue.SubscriptionArn) {
		t.Fatalf("list ARNs: %s, %s", aws.ToString(list.Subscriptions[0].SubscriptionArn), aws.ToString(list.Subscriptions[1].SubscriptionArn))
	}
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: withArn.SubscriptionArn})
	if err != nil || attrs.Attributes["PendingConfirmation"] != "true" || attrs.Attributes["Protocol"] != "email" || attrs.Attributes["Endpoint"] != "a@example.com" {
		t.Fatalf("pending attributes: %v %v", attrs, err)
	}
	if got := snsTopicAttrs(t, c, arn); got["SubscriptionsPending"] != "1" || got["SubscriptionsConfirmed"] != "1" {
		t.Fatalf("topic counts: pending %s confirmed %s", got["SubscriptionsPending"], got["SubscriptionsConfirmed"])
	}

	// Two confirmation requests went out (the second Subscribe re-sent it); confirm with the token.
	var token string
	confirmations := 0
	for _, d := range e.Outbox() {
		if d.Type == "SubscriptionConfirmation" && d.Endpoint == "a@example.com" {
			confirmations++
			token = d.Token
			if !strings.Contains(d.Body, "Action=ConfirmSubscription") || !strings.Contains(d.Body, token) {
				t.Errorf("confirmation email lacks the link: %q", d.Body)
			}
		}
	}
	if confirmations != 2 || token == "" {
		t.Fatalf("confirmation requests: %d", confirmations)
	}
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("bogus")})
	wantAPIError(t, err, "InvalidParameter", "Token")
	conf, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token), AuthenticateOnUnsubscribe: aws.String("true")})
	if err != nil || aws.ToString(conf.SubscriptionArn) != aws.ToString(withArn.SubscriptionArn) {
		t.Fatalf("confirm: %v %v", conf, err)
	}
	attrs, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: withArn.SubscriptionArn})
	if err != nil || attrs.Attributes["PendingConfirmation"] != "false" || attrs.Attributes["ConfirmationWasAuthenticated"] != "true" {
		t.Fatalf("confirmed attributes: %v %v", attrs.Attributes, err)
	}

	_, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("PendingConfirmation")})
	wantAPIError(t, err, "InvalidParameter", "SubscriptionArn")
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: queue.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: queue.SubscriptionArn})
	wantAPIError(t, err, "NotFound", "Subscription does not exist")
	if got := snsTopicAttrs(t, c, arn); got["SubscriptionsDeleted"] != "1" || got["SubscriptionsConfirmed"] != "1" {
		t.Fatalf("after unsubscribe: %v", got)
	}
}

func TestSNSListPagination(t *testing.T) {
	_, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	arn := snsMustTopic(t, c, "many")
	other := snsMustTopic(t, c, "other")
	for i := 0; i < 250; i++ {
		if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String(fmt.Sprintf("+1555%07d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(other), Protocol: aws.String("sms"), Endpoint: aws.String("+15550000000")}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	seen := map[string]bool{}
	p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Subscriptions))
		for _, s := range page.Subscriptions {
			seen[aws.ToString(s.Endpoint)] = true
		}
	}
	if fmt.Sprint(sizes) != "[100 100 50]" || len(seen) != 250 {
		t.Fatalf("pages %v, %d distinct", sizes, len(seen))
	}
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 100 || all.NextToken == nil {
		t.Fatalf("ListSubscriptions first page: %d %v", len(all.Subscriptions), err)
	}
	_, err = c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn), NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameter", "NextToken")
	topics, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(topics.Topics) != 2 || topics.NextToken != nil {
		t.Fatalf("ListTopics: %+v %v", topics, err)
	}
}

func TestSNSTagsAndDelete(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	arn := snsMustTopic(t, c, "tagged")
	if _, err := c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{
		{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "a" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	var many []snstypes.Tag
	for i := 0; i < 50; i++ {
		many = append(many, snstypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantAPIError(t, err, "TagLimitExceeded", "tag quota")
	_, err = c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-gone")})
	var rnf *snstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("missing topic tags: want ResourceNotFoundException, got %v", err)
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("+15551234567")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // idempotent
		if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	subs, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(subs.Subscriptions) != 0 {
		t.Fatalf("subscriptions after DeleteTopic: %+v %v", subs, err)
	}
	e.mu.Lock()
	left := e.w.Tags.Get(arn)
	e.mu.Unlock()
	if left != nil {
		t.Fatalf("tags survived DeleteTopic: %v", left)
	}
}

func TestSNSPublishOutboxAndExpiry(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	arn := snsMustTopic(t, c, "pub")
	subscribe := func(protocol, endpoint string, attrs map[string]string) {
		t.Helper()
		if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(protocol), Endpoint: aws.String(endpoint), Attributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe("email", "confirmed@example.com", nil)
	subscribe("email", "pending@example.com", nil)
	subscribe("https", "https://hooks.example.com/sns", nil)
	subscribe("sqs", "arn:aws:sqs:us-east-1:123456789012:filtered", map[string]string{"FilterPolicy": `{"severity":["high"]}`})
	if err := e.ConfirmPending(arn, "email", "confirmed@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := e.ConfirmPending(arn, "email", "nobody@example.com"); err == nil {
		t.Fatal("ConfirmPending of an unknown subscription succeeded")
	}
	before := len(e.Outbox())
	msg := `{"default":"plain","email":"for humans","https":"for machines"}`
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("Hello"), Message: aws.String(msg), MessageStructure: aws.String("json")}); err != nil {
		t.Fatal(err)
	}
	got := e.Outbox()[before:]
	if len(got) != 1 {
		t.Fatalf("deliveries %+v, want only the confirmed email (https pending, sqs filtered out)", got)
	}
	if got[0].Endpoint != "confirmed@example.com" || got[0].Message != "for humans" || got[0].Subject != "Hello" ||
		!strings.HasPrefix(got[0].Body, "for humans\n\n--\n") || got[0].Type != "Notification" {
		t.Fatalf("email delivery %+v", got[0])
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
		"severity": {DataType: aws.String("String"), StringValue: aws.String("high")}}}); err != nil {
		t.Fatal(err)
	}
	got = e.Outbox()[before+1:]
	if len(got) != 2 || got[1].Protocol != "sqs" {
		t.Fatalf("after attribute publish: %+v", got)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(got[1].Body), &env); err != nil || env["Type"] != "Notification" || env["Message"] != "x" || env["TopicArn"] != arn ||
		!strings.Contains(env["UnsubscribeURL"], "&SubscriptionArn=") {
		t.Fatalf("sqs envelope %q: %v", got[1].Body, err)
	}
	pubErrs := []struct {
		name      string
		in        sns.PublishInput
		code, msg string
	}{
		{"no default", sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`{"email":"x"}`), MessageStructure: aws.String("json")}, "InvalidParameter", "No default entry"},
		{"not json", sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`x`), MessageStructure: aws.String("json")}, "InvalidParameter", "failed to parse"},
		{"empty", sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("")}, "InvalidParameter", "Empty message"},
		{"subject newline", sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter", "Subject"},
		{"missing topic", sns.PublishInput{TopicArn: aws.String(arn + "2"), Message: aws.String("m")}, "NotFound", "Topic does not exist"},
	}
	for _, tc := range pubErrs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Publish(ctx, &tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	// The pipeline's publish reaches the confirmed subscriber too.
	e.mu.Lock()
	busErr := e.w.Bus.Publish(arn, "ALARM: \"x\"", `{"AlarmName":"x"}`)
	missingErr := e.w.Bus.Publish(arn+"-none", "s", "m")
	e.mu.Unlock()
	if busErr != nil || missingErr == nil {
		t.Fatalf("bus publish: %v, missing topic: %v", busErr, missingErr)
	}
	if last := e.Outbox()[len(e.Outbox())-1]; last.Endpoint != "confirmed@example.com" || !strings.Contains(last.Message, `"AlarmName":"x"`) {
		t.Fatalf("bus delivery %+v", last)
	}

	// The https endpoint was sent a SubscriptionConfirmation envelope it can confirm from.
	var conf map[string]string
	for _, d := range e.Outbox() {
		if d.Protocol == "https" && d.Type == "SubscriptionConfirmation" {
			if err := json.Unmarshal([]byte(d.Body), &conf); err != nil {
				t.Fatalf("https confirmation %q: %v", d.Body, err)
			}
		}
	}
	if conf["Type"] != "SubscriptionConfirmation" || conf["Token"] == "" || conf["TopicArn"] != arn ||
		!strings.Contains(conf["SubscribeURL"], "Action=ConfirmSubscription&TopicArn=") || !strings.HasSuffix(conf["SubscribeURL"], "&Token="+conf["Token"]) {
		t.Fatalf("https confirmation envelope %v", conf)
	}

	// Unconfirmed subscriptions disappear 48 hours (emulated) after they were made.
	e.Advance(47*time.Hour + 59*time.Minute)
	if got := snsTopicAttrs(t, c, arn)["SubscriptionsPending"]; got != "2" {
		t.Fatalf("pending before 48h: %s", got)
	}
	e.Advance(time.Minute)
	a := snsTopicAttrs(t, c, arn)
	if a["SubscriptionsPending"] != "0" || a["SubscriptionsConfirmed"] != "2" || a["SubscriptionsDeleted"] != "2" {
		t.Fatalf("after 48h: %v", a)
	}
}

func snsMustTopic(t *testing.T, c *sns.Client, name string) string {
	t.Helper()
	out, err := c.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func snsTopicAttrs(t *testing.T, c *sns.Client, arn string) map[string]string {
	t.Helper()
	out, err := c.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes
}

// TestSNSListsBasicAuthPasswordsMasked: as SNS does, the List actions show an http(s) endpoint's
// basic-authentication password as "****" (user name, host, path and query as written), and only
// GetSubscriptionAttributes returns the endpoint whole. Subscribe is idempotent on the whole
// endpoint: another password is another subscription, listed the same way.
func TestSNSListsBasicAuthPasswordsMasked(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("hooks")})
	if err != nil {
		t.Fatal(err)
	}
	const (
		withPassword = "https://user:PASSWORD456@hooks.example.com/sns?team=sec"
		rotated      = "https://user:PASSWORD789@hooks.example.com/sns?team=sec"
		listed       = "https://user:****@hooks.example.com/sns?team=sec"
		apiKey       = "https://events.example.com/integration/amazonsns?apiKey=SECRETKEY123"
	)
	arns := map[string]string{}
	for _, ep := range []string{withPassword, rotated, apiKey, withPassword} {
		out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("https"), Endpoint: aws.String(ep), ReturnSubscriptionArn: true})
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := arns[ep]; ok && prev != aws.ToString(out.SubscriptionArn) {
			t.Errorf("subscribing %s again made a second subscription", ep)
		}
		arns[ep] = aws.ToString(out.SubscriptionArn)
		if err := e.ConfirmPending(aws.ToString(topic.TopicArn), "https", ep); err != nil && !strings.Contains(err.Error(), "no pending") {
			t.Fatal(err)
		}
	}
	list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range list.Subscriptions {
		got = append(got, aws.ToString(s.Endpoint))
	}
	if strings.Join(got, " ") != listed+" "+listed+" "+apiKey {
		t.Errorf("listed endpoints %v, want the two passwords masked and the API key as written", got)
	}
	for _, ep := range []string{withPassword, rotated} {
		attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arns[ep])})
		if err != nil {
			t.Fatal(err)
		}
		if attrs.Attributes["Endpoint"] != ep {
			t.Errorf("GetSubscriptionAttributes Endpoint %q, want the whole endpoint", attrs.Attributes["Endpoint"])
		}
	}
}
