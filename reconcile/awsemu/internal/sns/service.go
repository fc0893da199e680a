package sns

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Service is the emulated SNS: topics and subscriptions of every region (each ARN carries
// its region), and the outbox of everything SNS would have delivered.
type Service struct {
	w      *core.World
	topics map[string]*snsTopic // by topic ARN
	subs   map[string]*snsSub   // by subscription ARN
	seq    int64                // creation order, for stable listings and page tokens
	outbox []Delivery
}

type snsTopic struct {
	arn, name, region string
	seq               int64
	// attrs holds the attributes set by CreateTopic or SetTopicAttributes (DisplayName, Policy, …).
	attrs map[string]string
	// deleted counts subscriptions removed by Unsubscribe or expiry (SubscriptionsDeleted).
	deleted int
}

type snsSub struct {
	arn, topicArn, protocol, endpoint, owner string
	seq                                      int64
	attrs                                    map[string]string
	confirmed, authenticated                 bool
	token                                    string
	created                                  time.Time
}

// snsPendingTTL is how long an unconfirmed subscription lives: AWS deletes unconfirmed
// subscriptions after 48 hours (What's New, 2023-05-10), and the confirmation token is valid as
// long.
const snsPendingTTL = 48 * time.Hour

// snsPageSize is the page size of ListTopics, ListSubscriptions and ListSubscriptionsByTopic.
const snsPageSize = 100

// Register adds SNS to w and returns it, for the test surface (Outbox, ConfirmPending).
func Register(w *core.World) *Service {
	s := &Service{w: w, topics: map[string]*snsTopic{}, subs: map[string]*snsSub{}}
	w.Register("sns", map[string]core.OpFunc{
		"CreateTopic":               s.createTopic,
		"GetTopicAttributes":        s.getTopicAttributes,
		"SetTopicAttributes":        s.setTopicAttributes,
		"DeleteTopic":               s.deleteTopic,
		"ListTopics":                s.listTopics,
		"TagResource":               s.tagResource,
		"UntagResource":             s.untagResource,
		"ListTagsForResource":       s.listTagsForResource,
		"Subscribe":                 s.subscribe,
		"ConfirmSubscription":       s.confirmSubscription,
		"Unsubscribe":               s.unsubscribe,
		"ListSubscriptions":         s.listSubscriptions,
		"ListSubscriptionsByTopic":  s.listSubscriptionsByTopic,
		"GetSubscriptionAttributes": s.getSubscriptionAttributes,
		"SetSubscriptionAttributes": s.setSubscriptionAttributes,
		"Publish":                   s.publish,
	})
	w.Bus.Publish = s.publishFromBus
	w.OnTick(s.expire)
	return s
}

// snsInvalid is SNS's InvalidParameter error; AWS prefixes every message with "Invalid parameter: ".
func snsInvalid(format string, args ...any) *wire.APIError {
	return &wire.APIError{Type: "InvalidParameterException", Code: "InvalidParameter",
		Message: "Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func snsNotFound(msg string) *wire.APIError {
	return &wire.APIError{Type: "NotFoundException", Code: "NotFound", Message: msg, Status: http.StatusNotFound}
}

// topicFor finds a topic by ARN in the caller's region. A malformed ARN is InvalidParameter
// ("Invalid parameter: TopicArn"), an unknown one NotFound, as AWS answers.
func (s *Service) topicFor(c *core.Call, arn string) (*snsTopic, *wire.APIError) {
	if arn == "" {
		return nil, snsInvalid("TopicArn")
	}
	region, _, name, ok := snsParseARN(arn)
	if !ok || !snsValidTopicName(name) {
		return nil, snsInvalid("TopicArn")
	}
	if region != c.Region {
		// SNS answers a topic of another region with a region mismatch, not a lookup.
		return nil, snsInvalid("TopicArn")
	}
	t := s.topics[arn]
	if t == nil {
		return nil, snsNotFound("Topic does not exist")
	}
	return t, nil
}

// snsParseARN splits arn:aws:sns:<region>:<account>:<resource>.
func snsParseARN(arn string) (region, account, resource string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[5], true
}

// snsValidTopicName applies CreateTopic's rule: 1–256 of [A-Za-z0-9_-], FIFO topics ending in
// ".fifo" (the suffix counts towards the 256).
func snsValidTopicName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 256 {
		return false
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// snsToken makes an opaque page token that resumes after creation sequence seq, so a page
// boundary stays put when earlier items are deleted.
func snsToken(kind string, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sns1|" + kind + "|" + strconv.FormatInt(seq, 10)))
}

func snsParseToken(kind, tok string) (int64, *wire.APIError) {
	if tok == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, snsInvalid("NextToken")
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || parts[0] != "sns1" || parts[1] != kind {
		return 0, snsInvalid("NextToken")
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return 0, snsInvalid("NextToken")
	}
	return n, nil
}

// snsPage returns the items (sorted by seq) after the token's cursor, at most snsPageSize, and
// the next token ("" on the last page).
func snsPage[T any](items []T, seqOf func(T) int64, kind, tok string) ([]T, string, *wire.APIError) {
	after, apiErr := snsParseToken(kind, tok)
	if apiErr != nil {
		return nil, "", apiErr
	}
	sort.Slice(items, func(i, j int) bool { return seqOf(items[i]) < seqOf(items[j]) })
	start := sort.Search(len(items), func(i int) bool { return seqOf(items[i]) > after })
	items = items[start:]
	if len(items) <= snsPageSize {
		return items, "", nil
	}
	page := items[:snsPageSize]
	return page, snsToken(kind, seqOf(page[len(page)-1])), nil
}

// Endpoint is how SNS is addressed on the wire.
var Endpoint = wire.Endpoint{
	Service:        "sns",
	QueryVersion:   "2010-03-31",
	QueryNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
}
