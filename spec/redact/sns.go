package redact

import "strings"

// SNSPasswordMask is what SNS's List actions show in place of the password of an http or https
// endpoint that carries basic-authentication credentials (https://user:****@host/path).
const SNSPasswordMask = "****"

// ListedForm returns endpoint as SNS's ListSubscriptions and ListSubscriptionsByTopic show it.
// For an http or https URL whose user information has a non-empty password, the password is
// replaced by SNSPasswordMask; the user name, host, path, query and fragment are kept as
// written. Every other endpoint is listed verbatim. An in-memory SNS should list endpoints in
// this form, and a controller compares listed endpoints with ListedForm of its desired ones.
//
// What SNS does, and the sources:
//
//   - The SNS developer guide, "Fanout Amazon SNS notifications to HTTPS endpoints"
//     (https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html),
//     allows basic and digest authentication in the URL (https://user:password@domain.com, or
//     https://user@domain.com) and says HTTPS URLs are only retrievable from the
//     GetSubscriptionAttributes API action, for principals granted API access.
//   - What the List actions return instead: the password masked with four asterisks, user name
//     kept — https://foo:bar@foo.com is listed as https://foo:****@foo.com (SaltStack's fix for
//     re-subscribing on every run, https://github.com/saltstack/salt/pull/25289), and
//     ListSubscriptionsByTopic's response shows https://username:****@example.com/myroute
//     (https://github.com/hashicorp/terraform-provider-aws/pull/861, after which the provider
//     matched pending subscriptions against the endpoint masked the same way). Both sources
//     observed ListSubscriptionsByTopic; that ListSubscriptions masks alike is inferred from the
//     guide's "only retrievable from GetSubscriptionAttributes".
//   - GetSubscriptionAttributes returns the full endpoint in its Endpoint attribute: the
//     Terraform provider reads the endpoint from it and its acceptance test of an
//     auto-confirming endpoint with basic-auth credentials verifies the imported endpoint,
//     password included, against the configured one.
//   - Nothing else is masked: path tokens come back verbatim from ListSubscriptions (a
//     VictorOps/Splunk On-Call endpoint with its key in the path, quoted in
//     https://github.com/aws-samples/ecs-cid-sample/issues/13), and no source reports a masked
//     query string (Datadog's ?api_key= endpoints are the usual case:
//     https://github.com/hashicorp/terraform-provider-aws/issues/46135 asks for a write-only
//     endpoint because the key sits in plain state). Query strings are therefore listed
//     verbatim here too; if SNS ever masks them, MatchListed stops matching and the controller
//     must fall back on GetSubscriptionAttributes by ARN.
//   - The SDK (aws-sdk-go-v2/service/sns v1.48.0) documents Subscription.Endpoint only as "the
//     subscription's endpoint (format depends on the protocol)" and says nothing of masking.
//   - moto 5.2.1 masks nothing: List*, GetSubscriptionAttributes and Subscribe all keep the
//     endpoint as given (moto/sns/models.py subscribe and _find_subscription; checked in-process).
//
// The mask is applied to http as well as https: the guide describes credentials for HTTPS, but
// a List response that showed an http password would be the odd one out, and treating both
// alike costs nothing when matching (an endpoint listed verbatim still matches, see
// MatchListed). An empty password ("user:@host") is left alone: there is nothing to mask, and
// no source says what SNS lists for it.
func ListedForm(endpoint string) string {
	scheme, rest, ok := strings.Cut(endpoint, "://")
	if !ok || !(strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "http")) {
		return endpoint
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return endpoint
	}
	user, pass, hasPass := strings.Cut(authority[:at], ":")
	if !hasPass || pass == "" {
		return endpoint
	}
	return scheme + "://" + user + ":" + SNSPasswordMask + authority[at:] + rest[end:]
}

// ListMatch says how an endpoint that SNS lists relates to a desired one.
type ListMatch int

const (
	// NoMatch: the listed endpoint is another endpoint.
	NoMatch ListMatch = iota
	// SameEndpoint: the listed endpoint is the desired one, character for character (an
	// endpoint without a password, or an SNS that lists verbatim, as moto does).
	SameEndpoint
	// SamePasswordMasked: the listed endpoint is the desired one with its password masked. It
	// is the desired subscription or one that differs only in the password (the password was
	// rotated and the old subscription is still there): only GetSubscriptionAttributes on the
	// subscription's ARN tells which.
	SamePasswordMasked
)

// MatchListed compares an endpoint from ListSubscriptions or ListSubscriptionsByTopic with a
// desired endpoint of the same topic and protocol.
//
// How a controller uses it, so that a no-op pass neither re-subscribes nor reports a spurious
// conflict, and makes no extra call once warm:
//
//  1. For each desired subscription, take the listed subscriptions of its topic and protocol
//     whose MatchListed is not NoMatch. A SameEndpoint one is the subscription; done.
//  2. Otherwise each SamePasswordMasked one with a real ARN is a candidate: read its Endpoint
//     with GetSubscriptionAttributes and keep the one equal to the desired endpoint. Cache the
//     answer by subscription ARN (a subscription's endpoint never changes, so the entry is good
//     until the ARN disappears from the list); a warm pass then makes no extra call. Store a
//     digest of the endpoint, or the verdict, not the endpoint itself.
//  3. A candidate whose ARN is "PendingConfirmation" cannot be read. If this process subscribed
//     it (Subscribe with ReturnSubscriptionArn=true returns the real ARN even while pending,
//     and GetSubscriptionAttributes answers for it), use that ARN; otherwise take the pending
//     candidate for the desired subscription and report it as pending, not missing — calling
//     Subscribe again would re-send the confirmation request each pass. A pending subscription
//     with a rotated password is then only replaced once SNS drops it unconfirmed.
//  4. Listed subscriptions on an owned topic that matched no desired one — candidates that
//     GetSubscriptionAttributes showed to hold another password included — are extra, and are
//     deleted as any other extra subscription. They are never a conflict: subscriptions are
//     owned through their topic.
//
// Subscription ids, plans and logs name the desired endpoint's display form (Endpoint), never
// the listed one: ListedForm keeps the user name, and the display form of a masked endpoint
// would carry a different digest from the one the file's endpoint has.
//
// A desired password that is literally "****" lists as itself and reads as SameEndpoint even
// against another password's masked listing; such a password is not worth a special case.
func MatchListed(desired, listed string) ListMatch {
	switch {
	case listed == desired:
		return SameEndpoint
	case listed == ListedForm(desired):
		return SamePasswordMasked
	}
	return NoMatch
}
