package sns

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// snsPendingArn is what SNS shows instead of an ARN for a subscription that is not confirmed,
// in Subscribe's answer ("pending confirmation") and in listings ("PendingConfirmation").
const (
	snsPendingReply = "pending confirmation"
	snsPendingList  = "PendingConfirmation"
)

var snsSubAttrs = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

// snsCheckEndpoint validates an endpoint for its protocol. It reports whether the subscription
// needs confirming: email, email-json, http and https always do; sqs and lambda endpoints of
// another account do (the owner of the queue or function must confirm); the rest do not.
func (s *Service) snsCheckEndpoint(protocol, endpoint string) (needsConfirm bool, apiErr *wire.APIError) {
	switch protocol {
	case "http", "https":
		if !strings.HasPrefix(endpoint, protocol+"://") || len(endpoint) <= len(protocol)+3 {
			return false, snsInvalid("Endpoint must match the specified protocol")
		}
		return true, nil
	case "email", "email-json":
		addr, err := mail.ParseAddress(endpoint)
		if err != nil || addr.Address != endpoint || !strings.Contains(endpoint[strings.LastIndex(endpoint, "@")+1:], ".") {
			return false, snsInvalid("Email address")
		}
		return true, nil
	case "sms":
		digits := strings.TrimPrefix(endpoint, "+")
		if len(digits) < 7 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			return false, snsInvalid("Invalid SMS endpoint: %s", endpoint)
		}
		return false, nil
	case "sqs", "lambda", "firehose", "application":
		service := map[string]string{"sqs": "sqs", "lambda": "lambda", "firehose": "firehose", "application": "sns"}[protocol]
		parts := strings.SplitN(endpoint, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != service || parts[3] == "" || parts[5] == "" {
			label := map[string]string{"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose", "application": "Application"}[protocol]
			return false, snsInvalid("%s endpoint ARN", label)
		}
		return (protocol == "sqs" || protocol == "lambda") && parts[4] != s.w.Account, nil
	}
	return false, snsInvalid("Amazon SNS does not support this protocol string: %s", protocol)
}

func snsCheckSubAttr(protocol, name, value string) *wire.APIError {
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return snsInvalid("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if value == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose" {
			return snsInvalid("Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", protocol)
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return snsInvalid("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
	case "FilterPolicy", "DeliveryPolicy", "RedrivePolicy", "ReplayPolicy":
		var obj map[string]any
		if value != "" && json.Unmarshal([]byte(value), &obj) != nil {
			return snsInvalid("Attributes Reason: %s: failed to parse JSON.", name)
		}
	}
	return nil
}

func (s *Service) subscribe(c *core.Call) (any, error) {
	var in struct {
		TopicArn              string            `json:"TopicArn"`
		Protocol              string            `json:"Protocol"`
		Endpoint              string            `json:"Endpoint"`
		Attributes            map[string]string `json:"Attributes"`
		ReturnSubscriptionArn bool              `json:"ReturnSubscriptionArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		return nil, apiErr
	}
	protocol := strings.ToLower(in.Protocol)
	needsConfirm, apiErr := s.snsCheckEndpoint(protocol, in.Endpoint)
	if apiErr != nil {
		return nil, apiErr
	}
	for k, v := range in.Attributes {
		if !snsSubAttrs[k] {
			return nil, snsInvalid("Attributes Reason: Unknown attribute %s", k)
		}
		if err := snsCheckSubAttr(protocol, k, v); err != nil {
			return nil, err
		}
	}
	if protocol == "firehose" && in.Attributes["SubscriptionRoleArn"] == "" {
		return nil, snsInvalid("Attributes Reason: SubscriptionRoleArn: must be provided for firehose subscriptions")
	}
	reply := func(sub *snsSub) any {
		if !sub.confirmed && !in.ReturnSubscriptionArn {
			return struct{ SubscriptionArn string }{snsPendingReply}
		}
		return struct{ SubscriptionArn string }{sub.arn}
	}
	// The same topic, protocol and endpoint is the same subscription (AWS; localstack#8816).
	for _, sub := range s.subs {
		if sub.topicArn != t.arn || sub.protocol != protocol || sub.endpoint != in.Endpoint {
			continue
		}
		for k, v := range in.Attributes {
			if sub.attrs[k] != v && !(k == "RawMessageDelivery" && v == "false" && sub.attrs[k] == "") {
				return nil, snsInvalid("Attributes Reason: Subscription already exists with different attributes")
			}
		}
		if !sub.confirmed {
			// Subscribing again while pending sends the confirmation request again.
			s.requestConfirmation(c, t, sub)
		}
		return reply(sub), nil
	}
	s.seq++
	sub := &snsSub{
		arn: t.arn + ":" + wire.NewRequestID(), topicArn: t.arn, protocol: protocol, endpoint: in.Endpoint,
		owner: s.w.Account, seq: s.seq, attrs: map[string]string{}, confirmed: !needsConfirm, created: c.Now,
	}
	for k, v := range in.Attributes {
		sub.attrs[k] = v
	}
	s.subs[sub.arn] = sub
	if needsConfirm {
		var b [64]byte
		_, _ = rand.Read(b[:])
		sub.token = hex.EncodeToString(b[:])
		s.requestConfirmation(c, t, sub)
	}
	return reply(sub), nil
}

func (s *Service) confirmSubscription(c *core.Call) (any, error) {
	var in struct {
		TopicArn                  string `json:"TopicArn"`
		Token                     string `json:"Token"`
		AuthenticateOnUnsubscribe string `json:"AuthenticateOnUnsubscribe"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.Token == "" {
		return nil, snsInvalid("Token")
	}
	for _, sub := range s.subs {
		if sub.topicArn == t.arn && sub.token == in.Token {
			sub.confirmed = true
			sub.authenticated = sub.authenticated || strings.EqualFold(in.AuthenticateOnUnsubscribe, "true")
			return struct{ SubscriptionArn string }{sub.arn}, nil
		}
	}
	return nil, snsInvalid("Token")
}

// subFor resolves a subscription ARN: the literal "PendingConfirmation" and other non-ARNs are
// InvalidParameter, an unknown ARN NotFound.
func (s *Service) subFor(c *core.Call, arn string) (*snsSub, *wire.APIError) {
	region, _, res, ok := snsParseARN(arn)
	if !ok || region != c.Region || !strings.Contains(res, ":") {
		return nil, snsInvalid("SubscriptionArn")
	}
	sub := s.subs[arn]
	if sub == nil {
		return nil, snsNotFound("Subscription does not exist")
	}
	return sub, nil
}

func (s *Service) unsubscribe(c *core.Call) (any, error) {
	var in struct {
		SubscriptionArn string `json:"SubscriptionArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	sub, apiErr := s.subFor(c, in.SubscriptionArn)
	if apiErr != nil {
		return nil, apiErr
	}
	s.removeSub(sub)
	return struct{}{}, nil
}

func (s *Service) removeSub(sub *snsSub) {
	delete(s.subs, sub.arn)
	if t := s.topics[sub.topicArn]; t != nil {
		t.deleted++
	}
}

type snsSubEntry struct {
	SubscriptionArn string `json:"SubscriptionArn"`
	Owner           string `json:"Owner"`
	Protocol        string `json:"Protocol"`
	Endpoint        string `json:"Endpoint"`
	TopicArn        string `json:"TopicArn"`
}

func (s *Service) listSubs(c *core.Call, topicArn, token string) (any, error) {
	var all []*snsSub
	for _, sub := range s.subs {
		if topicArn != "" && sub.topicArn != topicArn {
			continue
		}
		if region, _, _, _ := snsParseARN(sub.arn); region != c.Region {
			continue
		}
		all = append(all, sub)
	}
	kind := "subs"
	if topicArn != "" {
		kind = "subs:" + topicArn
	}
	page, next, apiErr := snsPage(all, func(sub *snsSub) int64 { return sub.seq }, kind, token)
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		Subscriptions []snsSubEntry `json:"Subscriptions"`
		NextToken     string        `json:"NextToken,omitempty"`
	}{Subscriptions: []snsSubEntry{}, NextToken: next}
	for _, sub := range page {
		arn := sub.arn
		if !sub.confirmed {
			arn = snsPendingList
		}
		// SNS lists an http(s) endpoint with its basic-authentication password masked; only
		// GetSubscriptionAttributes returns it whole (redact.ListedForm says how, and where
		// that is documented).
		out.Subscriptions = append(out.Subscriptions, snsSubEntry{arn, sub.owner, sub.protocol, redact.ListedForm(sub.endpoint), sub.topicArn})
	}
	return out, nil
}

func (s *Service) listSubscriptions(c *core.Call) (any, error) {
	var in struct {
		NextToken string `json:"NextToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return s.listSubs(c, "", in.NextToken)
}

func (s *Service) listSubscriptionsByTopic(c *core.Call) (any, error) {
	var in struct {
		TopicArn  string `json:"TopicArn"`
		NextToken string `json:"NextToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		return nil, apiErr
	}
	return s.listSubs(c, t.arn, in.NextToken)
}

func (s *Service) getSubscriptionAttributes(c *core.Call) (any, error) {
	var in struct {
		SubscriptionArn string `json:"SubscriptionArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	sub, apiErr := s.subFor(c, in.SubscriptionArn)
	if apiErr != nil {
		return nil, apiErr
	}
	attrs := map[string]string{
		"SubscriptionArn": sub.arn, "TopicArn": sub.topicArn, "Owner": sub.owner,
		"Protocol": sub.protocol, "Endpoint": sub.endpoint, "RawMessageDelivery": "false",
		"PendingConfirmation":          snsBool(!sub.confirmed),
		"ConfirmationWasAuthenticated": snsBool(sub.authenticated),
		"SubscriptionPrincipal":        "arn:aws:iam::" + s.w.Account + ":root",
	}
	if sub.protocol == "http" || sub.protocol == "https" {
		attrs["EffectiveDeliveryPolicy"] = snsDefaultDeliveryPolicy
	}
	for k, v := range sub.attrs {
		attrs[k] = v
	}
	return struct{ Attributes map[string]string }{attrs}, nil
}

func (s *Service) setSubscriptionAttributes(c *core.Call) (any, error) {
	var in struct {
		SubscriptionArn string `json:"SubscriptionArn"`
		AttributeName   string `json:"AttributeName"`
		AttributeValue  string `json:"AttributeValue"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if !snsSubAttrs[in.AttributeName] {
		return nil, snsInvalid("AttributeName")
	}
	sub, apiErr := s.subFor(c, in.SubscriptionArn)
	if apiErr != nil {
		return nil, apiErr
	}
	if err := snsCheckSubAttr(sub.protocol, in.AttributeName, in.AttributeValue); err != nil {
		return nil, err
	}
	if in.AttributeValue == "" {
		delete(sub.attrs, in.AttributeName)
	} else {
		sub.attrs[in.AttributeName] = in.AttributeValue
	}
	return struct{}{}, nil
}

func snsBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
