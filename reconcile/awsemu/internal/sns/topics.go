package sns

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

type snsTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// snsSettableTopicAttrs are the attributes SetTopicAttributes accepts; CreateTopic accepts these
// plus FifoTopic and DataProtectionPolicy, which cannot be changed afterwards.
var snsSettableTopicAttrs = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "Policy": true, "SignatureVersion": true,
	"TracingConfig": true, "KmsMasterKeyId": true, "ContentBasedDeduplication": true,
	"ArchivePolicy": true, "FifoThroughputScope": true,
}

func snsKnownTopicAttr(name string, create bool) bool {
	if snsSettableTopicAttrs[name] {
		return true
	}
	if create && (name == "FifoTopic" || name == "DataProtectionPolicy") {
		return true
	}
	// Delivery-status logging: <Protocol>SuccessFeedbackRoleArn, …SampleRate, …FailureFeedbackRoleArn.
	for _, p := range []string{"Application", "HTTP", "Firehose", "Lambda", "SQS"} {
		switch strings.TrimPrefix(name, p) {
		case "SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn":
			return strings.HasPrefix(name, p)
		}
	}
	return false
}

// snsCheckTopicAttr validates one attribute value the way SNS does before storing it.
func snsCheckTopicAttr(name, value string) *wire.APIError {
	switch {
	case name == "DisplayName":
		if len(value) > 100 {
			return snsInvalid("DisplayName")
		}
	case name == "Policy" || name == "DeliveryPolicy" || name == "ArchivePolicy" || name == "DataProtectionPolicy":
		var obj map[string]any
		if value != "" && json.Unmarshal([]byte(value), &obj) != nil {
			return snsInvalid("%s: not valid JSON", name)
		}
	case name == "SignatureVersion":
		if value != "1" && value != "2" {
			return snsInvalid("SignatureVersion")
		}
	case name == "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return snsInvalid("TracingConfig")
		}
	case name == "FifoTopic" || name == "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return snsInvalid("%s", name)
		}
	case strings.HasSuffix(name, "SampleRate"):
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 100 {
			return snsInvalid("%s", name)
		}
	}
	return nil
}

func snsCheckTags(tags []snsTag) *wire.APIError {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return snsInvalid("Tag key")
		}
		if len(t.Value) > 256 {
			return snsInvalid("Tag value")
		}
	}
	return nil
}

func snsTagLimit() *wire.APIError {
	return &wire.APIError{Type: "TagLimitExceededException", Code: "TagLimitExceeded",
		Message: "Could not complete request: tag quota of per resource exceeded"}
}

func (s *Service) createTopic(c *core.Call) (any, error) {
	var in struct {
		Name       string            `json:"Name"`
		Attributes map[string]string `json:"Attributes"`
		Tags       []snsTag          `json:"Tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if !snsValidTopicName(in.Name) {
		return nil, snsInvalid("Topic Name")
	}
	fifo := strings.HasSuffix(in.Name, ".fifo")
	if fifo != (in.Attributes["FifoTopic"] == "true") {
		// A .fifo name needs FifoTopic=true and FifoTopic=true needs the suffix.
		return nil, snsInvalid("Topic Name")
	}
	for k, v := range in.Attributes {
		if !snsKnownTopicAttr(k, true) {
			return nil, snsInvalid("Attributes Reason: Unknown attribute %s", k)
		}
		if err := snsCheckTopicAttr(k, v); err != nil {
			// CreateTopic names the attribute in its reason: "Attributes Reason: DisplayName".
			return nil, snsInvalid("Attributes Reason: %s", k)
		}
	}
	if err := snsCheckTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, snsTagLimit()
	}
	arn := "arn:aws:sns:" + c.Region + ":" + s.w.Account + ":" + in.Name
	if t := s.topics[arn]; t != nil {
		// Idempotent by name, but only for the same attributes and tags: anything given that
		// differs from the topic is refused rather than applied (AWS; localstack#2405).
		for k, v := range in.Attributes {
			if t.attrs[k] != v {
				return nil, snsInvalid("Attributes Reason: Topic already exists with different attributes")
			}
		}
		have := s.w.Tags.Get(arn)
		for _, tag := range in.Tags {
			if v, ok := have[tag.Key]; !ok || v != tag.Value {
				return nil, snsInvalid("Tags Reason: Topic already exists with different tags")
			}
		}
		return struct{ TopicArn string }{arn}, nil
	}
	s.seq++
	t := &snsTopic{arn: arn, name: in.Name, region: c.Region, seq: s.seq, attrs: map[string]string{}}
	for k, v := range in.Attributes {
		t.attrs[k] = v
	}
	s.topics[arn] = t
	if len(in.Tags) > 0 {
		// Only a tagged resource gets an entry: the Tagging API lists resources that are or
		// were tagged, never ones that never were.
		tags := map[string]string{}
		for _, tag := range in.Tags {
			tags[tag.Key] = tag.Value
		}
		s.w.Tags.Set(arn, tags)
	}
	return struct{ TopicArn string }{arn}, nil
}

// snsDefaultPolicy is the access policy AWS gives a new topic: the owning account may do
// everything a topic owner can.
func snsDefaultPolicy(arn, acct string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID",` +
		`"Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes",` +
		`"SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic",` +
		`"SNS:Publish"],"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + acct + `"}}}]}`
}

// snsDefaultDeliveryPolicy is EffectiveDeliveryPolicy when no DeliveryPolicy was set.
const snsDefaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,` +
	`"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},` +
	`"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

func (s *Service) getTopicAttributes(c *core.Call) (any, error) {
	var in struct {
		TopicArn string `json:"TopicArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		return nil, apiErr
	}
	attrs := map[string]string{
		"TopicArn": t.arn, "Owner": s.w.Account, "DisplayName": "",
		"Policy": snsDefaultPolicy(t.arn, s.w.Account), "EffectiveDeliveryPolicy": snsDefaultDeliveryPolicy,
	}
	for k, v := range t.attrs {
		attrs[k] = v
	}
	if p := t.attrs["DeliveryPolicy"]; p != "" {
		attrs["EffectiveDeliveryPolicy"] = p
	}
	if strings.HasSuffix(t.name, ".fifo") && attrs["ContentBasedDeduplication"] == "" {
		attrs["ContentBasedDeduplication"] = "false"
	}
	confirmed, pending := 0, 0
	for _, sub := range s.subs {
		if sub.topicArn != t.arn {
			continue
		}
		if sub.confirmed {
			confirmed++
		} else {
			pending++
		}
	}
	attrs["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	attrs["SubscriptionsPending"] = strconv.Itoa(pending)
	attrs["SubscriptionsDeleted"] = strconv.Itoa(t.deleted)
	return struct{ Attributes map[string]string }{attrs}, nil
}

func (s *Service) setTopicAttributes(c *core.Call) (any, error) {
	// SetTopicAttributes takes exactly one attribute per call: converging several attributes
	// means several calls.
	var in struct {
		TopicArn       string  `json:"TopicArn"`
		AttributeName  string  `json:"AttributeName"`
		AttributeValue *string `json:"AttributeValue"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if !snsKnownTopicAttr(in.AttributeName, false) {
		return nil, snsInvalid("AttributeName")
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		return nil, apiErr
	}
	v := ""
	if in.AttributeValue != nil {
		v = *in.AttributeValue
	}
	if err := snsCheckTopicAttr(in.AttributeName, v); err != nil {
		return nil, err
	}
	switch in.AttributeName {
	case "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope":
		if !strings.HasSuffix(t.name, ".fifo") {
			return nil, snsInvalid("%s: only FIFO topics have this attribute", in.AttributeName)
		}
	}
	if v == "" && in.AttributeName != "DisplayName" {
		// An empty value removes the setting (the topic falls back to the default).
		delete(t.attrs, in.AttributeName)
	} else {
		t.attrs[in.AttributeName] = v
	}
	return struct{}{}, nil
}

func (s *Service) deleteTopic(c *core.Call) (any, error) {
	var in struct {
		TopicArn string `json:"TopicArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.topicFor(c, in.TopicArn)
	if apiErr != nil {
		if apiErr.Code == "NotFound" {
			// Deleting a topic that does not exist is not an error (SDK doc: idempotent).
			return struct{}{}, nil
		}
		return nil, apiErr
	}
	for arn, sub := range s.subs {
		if sub.topicArn == t.arn {
			delete(s.subs, arn)
		}
	}
	delete(s.topics, t.arn)
	s.w.Tags.Drop(t.arn)
	return struct{}{}, nil
}

type snsTopicEntry struct {
	TopicArn string `json:"TopicArn"`
}

func (s *Service) listTopics(c *core.Call) (any, error) {
	var in struct {
		NextToken string `json:"NextToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var all []*snsTopic
	for _, t := range s.topics {
		if t.region == c.Region {
			all = append(all, t)
		}
	}
	page, next, apiErr := snsPage(all, func(t *snsTopic) int64 { return t.seq }, "topics", in.NextToken)
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		Topics    []snsTopicEntry `json:"Topics"`
		NextToken string          `json:"NextToken,omitempty"`
	}{Topics: []snsTopicEntry{}, NextToken: next}
	for _, t := range page {
		out.Topics = append(out.Topics, snsTopicEntry{t.arn})
	}
	return out, nil
}

// taggedTopic resolves a tagging call's ResourceArn; tagging answers a missing topic with
// ResourceNotFound (404), not the NotFound of the topic verbs.
func (s *Service) taggedTopic(c *core.Call, arn string) (*snsTopic, *wire.APIError) {
	t, apiErr := s.topicFor(c, arn)
	if apiErr != nil && apiErr.Code == "NotFound" {
		return nil, &wire.APIError{Type: "ResourceNotFoundException", Code: "ResourceNotFound",
			Message: "Resource does not exist", Status: http.StatusNotFound}
	}
	if apiErr != nil {
		return nil, snsInvalid("ResourceArn")
	}
	return t, nil
}

func (s *Service) tagResource(c *core.Call) (any, error) {
	var in struct {
		ResourceArn string   `json:"ResourceArn"`
		Tags        []snsTag `json:"Tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.taggedTopic(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	if err := snsCheckTags(in.Tags); err != nil {
		return nil, err
	}
	merged := s.w.Tags.Get(t.arn)
	if merged == nil {
		merged = map[string]string{}
	}
	for _, tag := range in.Tags {
		merged[tag.Key] = tag.Value
	}
	if len(merged) > 50 {
		return nil, snsTagLimit()
	}
	s.w.Tags.Set(t.arn, merged)
	return struct{}{}, nil
}

func (s *Service) untagResource(c *core.Call) (any, error) {
	var in struct {
		ResourceArn string   `json:"ResourceArn"`
		TagKeys     []string `json:"TagKeys"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.taggedTopic(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	s.w.Tags.Remove(t.arn, in.TagKeys)
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(c *core.Call) (any, error) {
	var in struct {
		ResourceArn string `json:"ResourceArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, apiErr := s.taggedTopic(c, in.ResourceArn)
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		Tags []snsTag `json:"Tags"`
	}{Tags: []snsTag{}}
	for k, v := range s.w.Tags.Get(t.arn) {
		out.Tags = append(out.Tags, snsTag{k, v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}
