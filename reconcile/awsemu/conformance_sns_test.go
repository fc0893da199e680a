package awsemu

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func (env *confEnv) sns() *sns.Client { return sns.NewFromConfig(env.cfg) }

func (env *confEnv) topic(name string) string {
	env.Helper()
	out, err := env.sns().CreateTopic(env.ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	env.must(err)
	return aws.ToString(out.TopicArn)
}

func (env *confEnv) topicAttrs(arn string) map[string]string {
	env.Helper()
	out, err := env.sns().GetTopicAttributes(env.ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	env.must(err)
	return out.Attributes
}

func snsScenarios() []scenario {
	return []scenario{
		{name: "sns/create-topic-idempotent", run: func(env *confEnv) {
			a, b := env.topic("conf-topic"), env.topic("conf-topic")
			env.eq("TopicArn", a, "arn:aws:sns:us-east-1:"+confAccount+":conf-topic")
			env.eq("second CreateTopic", b, a)
			out, err := env.sns().ListTopics(env.ctx, &sns.ListTopicsInput{})
			env.must(err)
			env.eq("topics", len(out.Topics), 1)
		}},
		{name: "sns/create-topic-different-attributes",
			motoGap: "moto returns the existing topic and ignores the new attributes; asserted instead: same ARN, DisplayName unchanged",
			run: func(env *confEnv) {
				c := env.sns()
				first, err := c.CreateTopic(env.ctx, &sns.CreateTopicInput{Name: aws.String("conf-attrs"), Attributes: map[string]string{"DisplayName": "One"}})
				env.must(err)
				again, err := c.CreateTopic(env.ctx, &sns.CreateTopicInput{Name: aws.String("conf-attrs"), Attributes: map[string]string{"DisplayName": "Two"}})
				if env.onMoto() {
					env.must(err)
					env.eq("TopicArn", aws.ToString(again.TopicArn), aws.ToString(first.TopicArn))
				} else {
					env.code(err, "InvalidParameter")
				}
				env.eq("DisplayName", env.topicAttrs(aws.ToString(first.TopicArn))["DisplayName"], "One")
			}},
		{name: "sns/create-topic-invalid-name", run: func(env *confEnv) {
			_, err := env.sns().CreateTopic(env.ctx, &sns.CreateTopicInput{Name: aws.String("bad name!")})
			env.code(err, "InvalidParameter")
		}},
		{name: "sns/topic-attributes-defaults", run: func(env *confEnv) {
			arn := env.topic("conf-defaults")
			a := env.topicAttrs(arn)
			env.eq("TopicArn", a["TopicArn"], arn)
			env.eq("Owner", a["Owner"], confAccount)
			var policy struct {
				Statement []struct{ Resource string }
			}
			env.must(json.Unmarshal([]byte(a["Policy"]), &policy))
			env.truth("the default policy names the topic", len(policy.Statement) > 0 && policy.Statement[0].Resource == arn)
			env.truth("EffectiveDeliveryPolicy is JSON", json.Valid([]byte(a["EffectiveDeliveryPolicy"])))
			env.eq("SubscriptionsPending", a["SubscriptionsPending"], "0")
		}},
		{name: "sns/set-topic-attributes", run: func(env *confEnv) {
			arn := env.topic("conf-set")
			c := env.sns()
			for name, v := range map[string]string{"DisplayName": "Security", "KmsMasterKeyId": "alias/aws/sns"} {
				_, err := c.SetTopicAttributes(env.ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String(name), AttributeValue: aws.String(v)})
				env.must(err)
			}
			a := env.topicAttrs(arn)
			env.eq("DisplayName", a["DisplayName"], "Security")
			env.eq("KmsMasterKeyId", a["KmsMasterKeyId"], "alias/aws/sns")
		}},
		{name: "sns/set-topic-attributes-unknown-name",
			motoGap: "moto stores any attribute name SetTopicAttributes is given, AWS refuses unknown ones; asserted instead: success",
			run: func(env *confEnv) {
				arn := env.topic("conf-setbad")
				_, err := env.sns().SetTopicAttributes(env.ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
					AttributeName: aws.String("Colour"), AttributeValue: aws.String("red")})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "InvalidParameter")
			}},
		{name: "sns/confirm-subscription-bad-token",
			motoGap: "moto accepts any ConfirmSubscription token; asserted instead: success",
			run: func(env *confEnv) {
				arn := env.topic("conf-token")
				_, err := env.sns().ConfirmSubscription(env.ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("not-a-token")})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "InvalidParameter")
			}},
		{name: "sns/get-missing-topic", run: func(env *confEnv) {
			_, err := env.sns().GetTopicAttributes(env.ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:" + confAccount + ":conf-none")})
			env.code(err, "NotFound")
		}},
		{name: "sns/delete-topic-idempotent-and-cascades", run: func(env *confEnv) {
			arn := env.topic("conf-del")
			c := env.sns()
			_, err := c.Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:" + confAccount + ":q")})
			env.must(err)
			for i := 0; i < 2; i++ {
				_, err = c.DeleteTopic(env.ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
				env.must(err)
			}
			subs, err := c.ListSubscriptions(env.ctx, &sns.ListSubscriptionsInput{})
			env.must(err)
			env.eq("subscriptions left", len(subs.Subscriptions), 0)
			_, err = c.GetTopicAttributes(env.ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
			env.code(err, "NotFound")
		}},
		{name: "sns/subscribe-email-pending",
			motoGap: "moto confirms every subscription at once (email included); asserted instead: a real ARN and PendingConfirmation false",
			run: func(env *confEnv) {
				arn := env.topic("conf-email")
				c := env.sns()
				out, err := c.Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("secops@example.com")})
				env.must(err)
				list, err := c.ListSubscriptionsByTopic(env.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
				env.must(err)
				env.eq("subscriptions", len(list.Subscriptions), 1)
				listed := aws.ToString(list.Subscriptions[0].SubscriptionArn)
				if env.onMoto() {
					env.truth("a real ARN", strings.HasPrefix(aws.ToString(out.SubscriptionArn), arn+":"))
					env.eq("listed ARN", listed, aws.ToString(out.SubscriptionArn))
					a, err := c.GetSubscriptionAttributes(env.ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn})
					env.must(err)
					env.eq("PendingConfirmation", a.Attributes["PendingConfirmation"], "false")
					return
				}
				env.eq("Subscribe answer", aws.ToString(out.SubscriptionArn), "pending confirmation")
				env.eq("listed ARN", listed, "PendingConfirmation")
			}},
		{name: "sns/subscribe-sqs-confirmed-and-idempotent", run: func(env *confEnv) {
			arn := env.topic("conf-sqs")
			c := env.sns()
			in := &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:" + confAccount + ":q")}
			a, err := c.Subscribe(env.ctx, in)
			env.must(err)
			b, err := c.Subscribe(env.ctx, in)
			env.must(err)
			env.truth("a real ARN", strings.HasPrefix(aws.ToString(a.SubscriptionArn), arn+":"))
			env.eq("second Subscribe", aws.ToString(b.SubscriptionArn), aws.ToString(a.SubscriptionArn))
			attrs, err := c.GetSubscriptionAttributes(env.ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: a.SubscriptionArn})
			env.must(err)
			env.eq("Protocol", attrs.Attributes["Protocol"], "sqs")
			env.eq("TopicArn", attrs.Attributes["TopicArn"], arn)
			env.eq("PendingConfirmation", attrs.Attributes["PendingConfirmation"], "false")
		}},
		{name: "sns/subscribe-invalid-protocol",
			motoGap: "moto accepts any protocol string and creates the subscription; asserted instead: a subscription ARN comes back",
			run: func(env *confEnv) {
				arn := env.topic("conf-proto")
				out, err := env.sns().Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("pigeon"), Endpoint: aws.String("x")})
				if env.onMoto() {
					env.must(err)
					env.truth("a subscription ARN", strings.HasPrefix(aws.ToString(out.SubscriptionArn), arn+":"))
					return
				}
				env.code(err, "InvalidParameter")
			}},
		{name: "sns/list-subscriptions-by-topic-pages", run: func(env *confEnv) {
			arn := env.topic("conf-pages")
			c := env.sns()
			for i := 0; i < 120; i++ {
				_, err := c.Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"),
					Endpoint: aws.String(fmt.Sprintf("arn:aws:sqs:us-east-1:%s:q%03d", confAccount, i))})
				env.must(err)
			}
			var sizes []int
			p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
			for p.HasMorePages() {
				page, err := p.NextPage(env.ctx)
				env.must(err)
				sizes = append(sizes, len(page.Subscriptions))
			}
			env.eq("page sizes", sizes, []int{100, 20})
		}},
		{name: "sns/unsubscribe-unknown",
			motoGap: "moto answers Unsubscribe of an unknown subscription with success; asserted instead: no error",
			run: func(env *confEnv) {
				arn := env.topic("conf-unsub")
				_, err := env.sns().Unsubscribe(env.ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn + ":00000000-0000-0000-0000-000000000000")})
				if env.onMoto() {
					env.must(err)
				} else {
					env.code(err, "NotFound")
				}
			}},
		{name: "sns/tag-untag-list", run: func(env *confEnv) {
			arn := env.topic("conf-tags")
			c := env.sns()
			_, err := c.TagResource(env.ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
			env.must(err)
			_, err = c.TagResource(env.ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{{Key: aws.String("a"), Value: aws.String("9")}}})
			env.must(err)
			_, err = c.UntagResource(env.ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"b"}})
			env.must(err)
			out, err := c.ListTagsForResource(env.ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			env.must(err)
			env.eq("tags", len(out.Tags), 1)
			env.eq("a", aws.ToString(out.Tags[0].Value), "9")
		}},
		{name: "sns/tags-missing-topic", run: func(env *confEnv) {
			_, err := env.sns().ListTagsForResource(env.ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:sns:us-east-1:" + confAccount + ":conf-gone")})
			env.code(err, "ResourceNotFound")
		}},
		{name: "sns/tag-limit", run: func(env *confEnv) {
			arn := env.topic("conf-limit")
			var tags []snstypes.Tag
			for i := 0; i < 51; i++ {
				tags = append(tags, snstypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
			}
			_, err := env.sns().TagResource(env.ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
			env.code(err, "TagLimitExceeded")
		}},
		{name: "sns/subscription-counts",
			motoGap: "moto reports SubscriptionsConfirmed/Pending/Deleted as \"0\" always; asserted instead: all three are \"0\"",
			run: func(env *confEnv) {
				arn := env.topic("conf-counts")
				c := env.sns()
				for _, q := range []string{"q1", "q2"} {
					_, err := c.Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:" + confAccount + ":" + q)})
					env.must(err)
				}
				a := env.topicAttrs(arn)
				want := "2"
				if env.onMoto() {
					want = "0"
				}
				env.eq("SubscriptionsConfirmed", a["SubscriptionsConfirmed"], want)
				env.eq("SubscriptionsPending", a["SubscriptionsPending"], "0")
			}},
		{name: "sns/publish", run: func(env *confEnv) {
			arn := env.topic("conf-pub")
			c := env.sns()
			out, err := c.Publish(env.ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("hello"), Subject: aws.String("hi")})
			env.must(err)
			env.truth("a MessageId", aws.ToString(out.MessageId) != "")
			_, err = c.Publish(env.ctx, &sns.PublishInput{TopicArn: aws.String(arn + "-none"), Message: aws.String("hello")})
			env.code(err, "NotFound")
		}},
		{name: "sns/publish-json-without-default", run: func(env *confEnv) {
			arn := env.topic("conf-json")
			// moto checks the structure against its subscriptions' protocols, so the topic has one.
			_, err := env.sns().Subscribe(env.ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:" + confAccount + ":q")})
			env.must(err)
			_, err = env.sns().Publish(env.ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`{"email":"x"}`), MessageStructure: aws.String("json")})
			env.code(err, "InvalidParameter")
		}},
	}
}
