package sns

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Delivery is one message SNS would have sent: a notification to a confirmed subscription, or a
// confirmation request to a subscription that needs one. Pending subscriptions receive only
// confirmation requests.
type Delivery struct {
	Time            time.Time
	TopicArn        string
	SubscriptionArn string
	Protocol        string
	Endpoint        string
	// Type is "Notification" or "SubscriptionConfirmation".
	Type      string
	MessageID string
	Subject   string
	// Message is the text for this protocol (with MessageStructure json, the protocol's entry or
	// "default").
	Message string
	// Token is the confirmation token of a SubscriptionConfirmation (what ConfirmSubscription takes).
	Token string
	// Body is what the endpoint receives: the SNS JSON envelope for http, https, sqs and
	// email-json (the bare message with RawMessageDelivery), the Records wrapper for lambda, the
	// email text for email, the message for sms.
	Body string
}

// Outbox returns every delivery made so far, oldest first.
func (s *Service) Outbox() []Delivery {
	return append([]Delivery(nil), s.outbox...)
}

// ConfirmPending confirms the pending subscription of topicArn with that protocol and endpoint,
// as clicking the link in the confirmation email (or an http endpoint visiting SubscribeURL)
// does; such a confirmation is not authenticated. Confirming a confirmed subscription is a no-op.
func (s *Service) ConfirmPending(topicArn, protocol, endpoint string) error {
	for _, sub := range s.subs {
		if sub.topicArn == topicArn && sub.protocol == protocol && sub.endpoint == endpoint {
			sub.confirmed = true
			return nil
		}
	}
	return fmt.Errorf("confirm subscription %s %s to %s: no such subscription", protocol, endpoint, topicArn)
}

func (s *Service) publish(c *core.Call) (any, error) {
	var in struct {
		TopicArn          string `json:"TopicArn"`
		TargetArn         string `json:"TargetArn"`
		PhoneNumber       string `json:"PhoneNumber"`
		Message           string `json:"Message"`
		Subject           string `json:"Subject"`
		MessageStructure  string `json:"MessageStructure"`
		MessageGroupId    string `json:"MessageGroupId"`
		MessageAttributes map[string]struct {
			DataType    string `json:"DataType"`
			StringValue string `json:"StringValue"`
		} `json:"MessageAttributes"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	arn := in.TopicArn
	if arn == "" {
		arn = in.TargetArn
	}
	if arn == "" && in.PhoneNumber == "" {
		return nil, snsInvalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	if in.Message == "" {
		return nil, snsInvalid("Empty message")
	}
	if len(in.Message) > 262144 {
		return nil, snsInvalid("Message too long")
	}
	if len(in.Subject) > 100 || strings.IndexFunc(in.Subject, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return nil, snsInvalid("Subject")
	}
	var structured map[string]string
	switch in.MessageStructure {
	case "":
	case "json":
		if json.Unmarshal([]byte(in.Message), &structured) != nil {
			return nil, snsInvalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := structured["default"]; !ok {
			return nil, snsInvalid("Message Structure - No default entry in JSON message body")
		}
	default:
		return nil, snsInvalid("MessageStructure")
	}
	attrs := map[string]string{}
	for k, v := range in.MessageAttributes {
		attrs[k] = v.StringValue
	}
	msgID := wire.NewRequestID()
	if arn == "" {
		// A direct SMS publish goes to the phone number, not to a topic.
		s.outbox = append(s.outbox, Delivery{Time: c.Now, Protocol: "sms", Endpoint: in.PhoneNumber,
			Type: "Notification", MessageID: msgID, Message: in.Message, Body: in.Message})
		return struct{ MessageId string }{msgID}, nil
	}
	t, apiErr := s.topicFor(c, arn)
	if apiErr != nil {
		return nil, apiErr
	}
	if strings.HasSuffix(t.name, ".fifo") && in.MessageGroupId == "" {
		return nil, snsInvalid("The MessageGroupId parameter is required for FIFO topics")
	}
	s.deliver(t, c.Now, msgID, in.Subject, in.Message, structured, attrs)
	return struct{ MessageId string }{msgID}, nil
}

// publishFromBus is the pipeline's end: CloudWatch publishing an alarm's state change.
func (s *Service) publishFromBus(topicArn, subject, message string) error {
	t := s.topics[topicArn]
	if t == nil {
		return fmt.Errorf("publish to %s: topic does not exist", topicArn)
	}
	s.deliver(t, s.w.Now, wire.NewRequestID(), subject, message, nil, nil)
	return nil
}

// deliver sends one published message to every confirmed subscription of t, in subscription
// order, honouring each subscription's filter policy.
func (s *Service) deliver(t *snsTopic, now time.Time, msgID, subject, message string, structured, attrs map[string]string) {
	var subs []*snsSub
	for _, sub := range s.subs {
		if sub.topicArn == t.arn && sub.confirmed {
			subs = append(subs, sub)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].seq < subs[j].seq })
	for _, sub := range subs {
		text := message
		if structured != nil {
			text = structured["default"]
			if v, ok := structured[sub.protocol]; ok {
				text = v
			}
		}
		if !snsFilterAccepts(sub.attrs, attrs, text) {
			continue
		}
		d := Delivery{Time: now, TopicArn: t.arn, SubscriptionArn: sub.arn, Protocol: sub.protocol,
			Endpoint: sub.endpoint, Type: "Notification", MessageID: msgID, Subject: subject, Message: text}
		env := s.envelope(t, sub, d, now)
		switch {
		case sub.protocol == "email":
			d.Body = text + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
				env.UnsubscribeURL + "\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support"
		case sub.protocol == "sms":
			d.Body = text
		case sub.attrs["RawMessageDelivery"] == "true":
			d.Body = text
		case sub.protocol == "lambda":
			d.Body = snsJSON(map[string]any{"Records": []any{map[string]any{
				"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": sub.arn, "Sns": env}}})
		default:
			d.Body = snsJSON(env)
		}
		s.outbox = append(s.outbox, d)
	}
}

// snsEnvelope is the JSON SNS posts to http/https endpoints and puts in SQS messages, with
// AWS's member order.
type snsEnvelope struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token,omitempty"`
	TopicArn         string `json:"TopicArn"`
	Subject          string `json:"Subject,omitempty"`
	Message          string `json:"Message"`
	SubscribeURL     string `json:"SubscribeURL,omitempty"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	// Signature is a digest of the message, not an RSA signature a client could verify against
	// AWS's certificate: nothing here holds AWS's signing key.
	Signature      string `json:"Signature"`
	SigningCertURL string `json:"SigningCertURL"`
	UnsubscribeURL string `json:"UnsubscribeURL,omitempty"`
}

func (s *Service) envelope(t *snsTopic, sub *snsSub, d Delivery, now time.Time) snsEnvelope {
	host := "https://sns." + t.region + ".amazonaws.com/"
	version := t.attrs["SignatureVersion"]
	if version == "" {
		version = "1"
	}
	env := snsEnvelope{
		Type: d.Type, MessageID: d.MessageID, Token: d.Token, TopicArn: t.arn, Subject: d.Subject,
		Message: d.Message, Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z"), SignatureVersion: version,
		SigningCertURL: host + "SimpleNotificationService-" + snsDigest(t.region)[:32] + ".pem",
	}
	if d.Type == "SubscriptionConfirmation" {
		env.SubscribeURL = host + "?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(t.arn) + "&Token=" + d.Token
	} else {
		env.UnsubscribeURL = host + "?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(sub.arn)
	}
	sum := sha256.Sum256([]byte(env.Type + env.MessageID + env.TopicArn + env.Subject + env.Message + env.Timestamp + env.Token))
	env.Signature = base64.StdEncoding.EncodeToString(sum[:])
	return env
}

// requestConfirmation sends the confirmation request a new (or re-subscribed) pending
// subscription gets: an email with a link, or a SubscriptionConfirmation envelope.
func (s *Service) requestConfirmation(c *core.Call, t *snsTopic, sub *snsSub) {
	d := Delivery{Time: c.Now, TopicArn: t.arn, SubscriptionArn: sub.arn, Protocol: sub.protocol,
		Endpoint: sub.endpoint, Type: "SubscriptionConfirmation", MessageID: wire.NewRequestID(), Token: sub.token,
		Message: "You have chosen to subscribe to the topic " + t.arn +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message."}
	env := s.envelope(t, sub, d, c.Now)
	if sub.protocol == "email" {
		d.Subject = "AWS Notification - Subscription Confirmation"
		d.Body = "You have chosen to subscribe to the topic: \n" + t.arn +
			"\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \nConfirm subscription: " +
			env.SubscribeURL + "\n\nPlease do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out"
	} else {
		d.Body = snsJSON(env)
	}
	s.outbox = append(s.outbox, d)
}

// expire deletes subscriptions still unconfirmed 48 hours after they were made.
func (s *Service) expire(_, to time.Time) {
	for _, sub := range s.subs {
		if !sub.confirmed && !sub.created.Add(snsPendingTTL).After(to) {
			s.removeSub(sub)
		}
	}
}

// snsJSON marshals without HTML escaping, as SNS writes URLs with a bare "&".
func snsJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

func snsDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
