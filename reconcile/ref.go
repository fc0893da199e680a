package reconcile

import (
	"fmt"
	"strings"
)

// Kind is the kind of an AWS resource kmswatch manages: the first part of its id.
type Kind string

// The kinds of resource. Trails, log groups, alarms and topics carry ownership tags; metric filters
// and subscriptions cannot be tagged, and are owned through the alarm and the topic they belong to.
const (
	KindTrail        Kind = "Trail"
	KindLogGroup     Kind = "LogGroup"
	KindMetricFilter Kind = "MetricFilter"
	KindAlarm        Kind = "Alarm"
	KindTopic        Kind = "Topic"
	KindSubscription Kind = "Subscription"
)

// Kinds lists every kind of resource in the order a pass creates them.
var Kinds = []Kind{KindLogGroup, KindTrail, KindTopic, KindSubscription, KindAlarm, KindMetricFilter}

// Ref names one resource, uniquely within a region: its kind and its name. A metric filter's
// name is "<log group>/<filter>"; a subscription's is "<topic>/<protocol>/<endpoint>" (AWS assigns
// subscription ARNs, so a subscription is known by what it connects).
type Ref struct {
	Kind Kind
	Name string
}

// String is the resource's id, "Kind/name": the first word of its output line.
func (r Ref) String() string { return string(r.Kind) + "/" + r.Name }

// ParseRef reads an id that Ref.String wrote.
func ParseRef(id string) (Ref, error) {
	kind, name, ok := strings.Cut(id, "/")
	if !ok || name == "" {
		return Ref{}, fmt.Errorf("resource id %q: want Kind/name", id)
	}
	for _, k := range Kinds {
		if Kind(kind) == k {
			return Ref{Kind: k, Name: name}, nil
		}
	}
	return Ref{}, fmt.Errorf("resource id %q: unknown kind %q", id, kind)
}

// SubscriptionParts splits a subscription's name into its topic, protocol and endpoint; the
// endpoint may itself hold slashes (an https URL). ok is false for any other kind.
func (r Ref) SubscriptionParts() (topic, protocol, endpoint string, ok bool) {
	if r.Kind != KindSubscription {
		return "", "", "", false
	}
	parts := strings.SplitN(r.Name, "/", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func trailRef(name string) Ref    { return Ref{KindTrail, name} }
func logGroupRef(name string) Ref { return Ref{KindLogGroup, name} }
func topicRef(name string) Ref    { return Ref{KindTopic, name} }
func alarmRef(name string) Ref    { return Ref{KindAlarm, name} }
func filterRef(logGroup, name string) Ref {
	return Ref{KindMetricFilter, logGroup + "/" + name}
}
func subscriptionRef(topic, protocol, endpoint string) Ref {
	return Ref{KindSubscription, topic + "/" + protocol + "/" + endpoint}
}

// refFromARN names the taggable resource an ARN points to; ok is false for anything else.
func refFromARN(arn string) (Ref, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return Ref{}, false
	}
	rest := parts[5]
	switch parts[2] {
	case "cloudwatch":
		if name, ok := strings.CutPrefix(rest, "alarm:"); ok {
			return alarmRef(name), true
		}
	case "logs":
		if name, ok := strings.CutPrefix(rest, "log-group:"); ok {
			return logGroupRef(strings.TrimSuffix(name, ":*")), true
		}
	case "sns":
		if rest != "" && !strings.Contains(rest, ":") {
			return topicRef(rest), true
		}
	case "cloudtrail":
		if name, ok := strings.CutPrefix(rest, "trail/"); ok {
			return trailRef(name), true
		}
	}
	return Ref{}, false
}
