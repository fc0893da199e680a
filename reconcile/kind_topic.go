package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// topicKind is an SNS topic with its subscriptions. Subscriptions cannot be tagged: they are owned
// through their topic, written only on a topic the Monitor owns, and deleted with it. A pending
// subscription is a state, not drift: it is not re-sent on every pass.
//
// The marker costs a topic nothing on create (CreateTopic takes Tags) and one sns:TagResource on
// an update (SetTopicAttributes takes none) or when a subscription alone is added or removed;
// reading it fresh is one sns:ListTagsForResource.
type topicKind struct{}

func (topicKind) desire(s *State, m spec.Monitor, env Env) {
	for _, t := range m.Spec.Topics {
		arn := env.topicARN(t.Name)
		topic := Topic{Name: t.Name, ARN: arn, DisplayName: t.DisplayName, Tags: ownerTags(s, t.Ownership), Adopt: t.Adopt}
		for _, sub := range t.Subscriptions {
			topic.Subscriptions = append(topic.Subscriptions, Subscription{Topic: t.Name, TopicARN: arn, Protocol: sub.Protocol, Endpoint: sub.Target()})
		}
		s.Topics = append(s.Topics, topic)
	}
	slices.SortFunc(s.Topics, func(a, b Topic) int { return strings.Compare(a.Name, b.Name) })
}

// observe reads each topic a Monitor wants or owns: its attributes, its tags when not known, and
// the subscriptions of the wanted ones.
func (topicKind) observe(ctx context.Context, o *observer) error {
	for i, w := range o.wants {
		wanted := map[string]bool{}
		for _, t := range w.Topics {
			wanted[t.Name] = true
		}
		for _, name := range slices.Sorted(maps.Keys(o.names(i, KindTopic, slices.Sorted(maps.Keys(wanted))...))) {
			t, err := observeTopic(ctx, o, name, wanted[name])
			if err == nil && t != nil && wanted[name] {
				err = resolveMasked(ctx, o, findByName(w.Topics, name, func(t Topic) string { return t.Name }).Subscriptions, t.Subscriptions)
			}
			if err != nil {
				o.fail(i, err)
				continue
			}
			if t != nil {
				o.gots[i].Topics = append(o.gots[i].Topics, *t)
			}
		}
	}
	return nil
}

// observeTopic reads a topic's attributes and, if wanted, its subscriptions; nil when it is gone.
func observeTopic(ctx context.Context, o *observer, name string, withSubs bool) (*Topic, error) {
	arn := o.r.env.topicARN(name)
	out, err := o.r.clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if isNotFound(err) {
		o.gone(topicRef(name))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get attributes of topic %s: %w", name, err)
	}
	t := &Topic{Name: name, ARN: arn, DisplayName: out.Attributes["DisplayName"]}
	t.Tags, err = o.tags(ctx, topicRef(name), func(ctx context.Context) (map[string]string, error) {
		return topicTags(name, arn).read(ctx, o.r)
	})
	if err != nil || !withSubs {
		return t, err
	}
	pages := sns.NewListSubscriptionsByTopicPaginator(o.r.clients.SNS, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)},
		func(po *sns.ListSubscriptionsByTopicPaginatorOptions) { po.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions of topic %s: %w", name, err)
		}
		for _, s := range res.Subscriptions {
			sarn := aws.ToString(s.SubscriptionArn)
			t.Subscriptions = append(t.Subscriptions, Subscription{
				Topic: name, TopicARN: arn, Protocol: aws.ToString(s.Protocol), Endpoint: aws.ToString(s.Endpoint), ARN: sarn,
				// ListSubscriptionsByTopic shows an unconfirmed subscription's ARN as the literal
				// "PendingConfirmation" (Subscribe answers "pending confirmation"):
				// https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
				Pending: !strings.HasPrefix(sarn, "arn:"),
			})
		}
	}
	return t, nil
}

// resolveMasked gives a subscription that SNS lists with its password masked the endpoint it was
// made with, when that is one of the topic's desired endpoints. SNS's List actions show an https
// endpoint with basic-authentication credentials as https://user:****@host/…, and only
// GetSubscriptionAttributes returns it whole
// (https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html; the
// listed form and its sources are redact.ListedForm's). A confirmed candidate is read once and
// remembered by ARN, as a digest, so that a warm pass reads none. A pending one has no ARN to
// read: it is taken for the desired subscription and reported pending, since subscribing again
// would re-send the confirmation request every pass. A candidate that turns out to hold another
// password keeps its listed form: an extra subscription, deleted like any other.
func resolveMasked(ctx context.Context, o *observer, desired, listed []Subscription) error {
	for i := range listed {
		l := &listed[i]
		var candidates []string
		for _, d := range desired {
			if d.Protocol == l.Protocol && redact.MatchListed(d.Endpoint, l.Endpoint) == redact.SamePasswordMasked {
				candidates = append(candidates, d.Endpoint)
			}
		}
		if len(candidates) == 0 {
			continue
		}
		if l.Pending {
			l.Endpoint = candidates[0]
			continue
		}
		known, ok := o.knownEndpoints[l.ARN]
		if !ok {
			out, err := o.r.clients.SNS.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(l.ARN)})
			if err != nil {
				return fmt.Errorf("get attributes of subscription %s: %w", l.ARN, redact.New(candidates...).Error(err))
			}
			whole := out.Attributes["Endpoint"]
			known = knownEndpoint{digest: endpointDigest(whole), display: redact.Endpoint(whole)}
			o.endpoints[l.ARN] = known
		}
		l.Display = known.display // an extra is then named as the file named it
		for _, c := range candidates {
			if endpointDigest(c) == known.digest {
				l.Endpoint, l.Display = c, ""
			}
		}
	}
	return nil
}

// knownEndpoint is what kmswatch remembers of a masked subscription's whole endpoint: a digest to
// compare desired endpoints with, and its display form — never the endpoint itself.
type knownEndpoint struct{ digest, display string }

// endpointDigest stands for an endpoint in what kmswatch remembers: never the endpoint itself.
func endpointDigest(endpoint string) string {
	sum := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(sum[:])
}

func (topicKind) plan(p *planner, want *State, got *Actual) (upserts, deletes []Step) {
	topicOK := map[string]bool{} // a subscription is written only on a topic the Monitor may write
	var subs []Subscription
	for i := range want.Topics {
		w := &want.Topics[i]
		g := findByName(got.Topics, w.Name, func(t Topic) string { return t.Name })
		var gotTags map[string]string
		if g != nil {
			gotTags = g.Tags
		}
		c := p.decide(topicRef(w.Name), w.Adopt, g != nil, gotTags, func() []FieldChange { return diffTopic(w, g) })
		upserts = append(upserts, p.step(c, w.Tags, gotTags, topicTags(w.Name, w.ARN), func(ctx context.Context, r *region) error { return writeTopic(ctx, r, w, c) }))
		topicOK[w.Name] = c.Action != ActionConflict
		subs = append(subs, w.Subscriptions...)
	}
	gotSubs := observedSubscriptions(got.Topics)
	slices.SortFunc(subs, func(a, b Subscription) int { return strings.Compare(a.ref().Name, b.ref().Name) })
	wantSubs := map[Ref]bool{}
	for _, ws := range subs {
		wantSubs[ws.ref()] = true
		upserts = append(upserts, part(planSubscription(p, ws, gotSubs[ws.ref()], topicOK[ws.Topic]), topicRef(ws.Topic)))
	}
	for _, ref := range slices.SortedFunc(maps.Keys(gotSubs), func(a, b Ref) int { return strings.Compare(a.Name, b.Name) }) {
		gs := gotSubs[ref]
		if !wantSubs[ref] && topicOK[gs.Topic] && !gs.Pending && gs.ARN != "" {
			c := newChange(ref, p.monitor)
			c.Action = ActionDelete
			deletes = append(deletes, part(Step{Change: c, apply: func(ctx context.Context, r *region) error {
				_, err := r.clients.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(gs.ARN)})
				if err != nil {
					err = redact.New(gs.Endpoint).Error(err)
				}
				return ignoreNotFound(err, "unsubscribe %s", ref)
			}}, topicRef(gs.Topic)))
		}
	}
	for _, g := range got.Topics {
		if p.owns(g.Tags) && findByName(want.Topics, g.Name, func(t Topic) string { return t.Name }) == nil {
			deletes = append(deletes, p.prune(topicRef(g.Name), g.Tags, spec.DefaultTopicDeletionPolicy, topicTags(g.Name, g.ARN),
				func(ctx context.Context, r *region) error {
					_, err := r.clients.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(g.ARN)})
					return ignoreNotFound(err, "delete topic %s", g.Name)
				}))
		}
	}
	return upserts, deletes
}

// observedSubscriptions indexes the observed subscriptions of the Monitor's topics by ref; of two
// with one ref, the confirmed one counts.
func observedSubscriptions(topics []Topic) map[Ref]*Subscription {
	out := map[Ref]*Subscription{}
	for i := range topics {
		for j := range topics[i].Subscriptions {
			s := &topics[i].Subscriptions[j]
			if prev, ok := out[s.ref()]; !ok || (prev.Pending && !s.Pending) {
				out[s.ref()] = s
			}
		}
	}
	return out
}

// planSubscription plans a desired subscription: created when missing, a conflict when its topic
// is not the Monitor's to write, else unchanged, pending or confirmed.
func planSubscription(p *planner, want Subscription, got *Subscription, topicOK bool) Step {
	c := newChange(want.ref(), p.monitor)
	switch {
	case !topicOK:
		c.Action, c.Message = ActionConflict, fmt.Sprintf("topic %s is not managed by this monitor", want.Topic)
	case got == nil:
		c.Action = ActionCreate
		return Step{Change: c, apply: func(ctx context.Context, r *region) error {
			_, err := r.clients.SNS.Subscribe(ctx, &sns.SubscribeInput{
				TopicArn: aws.String(want.TopicARN), Protocol: aws.String(want.Protocol), Endpoint: aws.String(want.Endpoint),
				ReturnSubscriptionArn: true,
			})
			if err != nil {
				// AWS may echo the endpoint back in its message: redact at the source.
				return fmt.Errorf("subscribe %s: %w", want.ref(), redact.New(want.Endpoint).Error(err))
			}
			return nil
		}}
	case got.Pending:
		c.Action, c.State = ActionNoop, StatePendingConfirmation
	default:
		c.Action, c.State = ActionNoop, StateConfirmed
	}
	return Step{Change: c}
}

func diffTopic(want, got *Topic) []FieldChange {
	var d fieldDiff
	if want.DisplayName != "" { // unset means "don't care"
		d.str("displayName", got.DisplayName, want.DisplayName)
	}
	d.tags(got.Tags, want.Tags)
	return d
}

// writeTopic creates a topic with its name and tags only: CreateTopic is idempotent by name but
// fails when attributes differ from an existing topic's, so attributes follow, one
// SetTopicAttributes call each (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html).
// Tags go with the create so that a crash cannot leave an untagged topic that the next pass would
// take for someone else's; the planner writes an update's tags.
func writeTopic(ctx context.Context, r *region, w *Topic, c Change) error {
	if c.Action == ActionCreate {
		if _, err := r.clients.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(w.Name), Tags: snsTags(w.Tags)}); err != nil {
			return fmt.Errorf("create topic %s: %w", w.Name, err)
		}
		if w.DisplayName != "" {
			return setTopicAttribute(ctx, r, w, "DisplayName", w.DisplayName)
		}
		return nil
	}
	if changed(c.Changes, "displayName") {
		return setTopicAttribute(ctx, r, w, "DisplayName", w.DisplayName)
	}
	return nil
}

// topicTags reaches a topic's tags.
func topicTags(name, arn string) tagIO {
	return tagIO{
		read: func(ctx context.Context, r *region) (map[string]string, error) {
			out, err := r.clients.SNS.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			tags := map[string]string{}
			for _, tag := range out.Tags {
				tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			return tags, nil
		},
		write: func(ctx context.Context, r *region, tags map[string]string) error {
			if _, err := r.clients.SNS.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: snsTags(tags)}); err != nil {
				return fmt.Errorf("tag topic %s: %w", name, err)
			}
			return nil
		},
	}
}

func setTopicAttribute(ctx context.Context, r *region, w *Topic, name, value string) error {
	_, err := r.clients.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(w.ARN), AttributeName: aws.String(name), AttributeValue: aws.String(value),
	})
	if err != nil {
		return fmt.Errorf("set %s of topic %s: %w", name, w.Name, err)
	}
	return nil
}

func snsTags(m map[string]string) []snstypes.Tag {
	var out []snstypes.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, snstypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
