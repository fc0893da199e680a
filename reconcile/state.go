package reconcile

import (
	"sort"
	"strings"
)

// Env is where the controller works: the partition, region and account that ARNs are built from.
type Env struct {
	Partition string
	Region    string
	AccountID string
}

// Ownership tags. The first two mark what kmswatch created or adopted; the deletion policy outlives
// the spec item; the filter tags record, on an alarm, the metric filter that feeds it (metric
// filters cannot be tagged, so they are owned through their alarm).
const (
	TagMonitor        = "kmswatch.dev/monitor"
	TagManagedBy      = "kmswatch.dev/managed-by"
	TagDeletionPolicy = "kmswatch.dev/deletion-policy"
	TagFilterLogGroup = "kmswatch.dev/filter-log-group"
	TagFilterName     = "kmswatch.dev/filter-name"
	ManagedByValue    = "kmswatch"
)

// State is one Monitor's desired chain, as Desired computes it. Slices are sorted by id; Filters[i]
// is the metric filter of Alarms[i] (each alarm records its filter in its tags too).
type State struct {
	Monitor       string
	Trail         *Trail
	LogGroup      *LogGroup
	Topics        []Topic
	Subscriptions []Subscription
	Filters       []MetricFilter
	Alarms        []Alarm
}

// Trail is a CloudTrail trail reduced to what the chain depends on.
type Trail struct {
	Name, ARN         string
	S3BucketName      string
	S3KeyPrefix       string
	LogGroupARN       string // CloudWatchLogsLogGroupArn, with the trailing ":*"
	RoleARN           string
	MultiRegion       bool
	LogFileValidation bool
	KMSKeyID          string
	Logging           bool
	Management        ManagementEvents
	// Selectors are the event selectors as observed (unset in a desired Trail): Diff compares
	// only their effect, Management, and a repair edits them rather than replacing them.
	Selectors TrailSelectors
	Tags      map[string]string
	Adopt     bool
}

// ManagementEvents is the effect of a trail's event selectors, basic or advanced, on management
// events: what must hold for KMS events (read-only Decrypt/Encrypt included) to reach the log group.
type ManagementEvents struct {
	Included        bool
	ReadWriteType   string   // All, ReadOnly or WriteOnly
	ExcludedSources []string // kms.amazonaws.com when a basic selector excludes it or an advanced one drops it
	Advanced        bool     // the trail uses advanced event selectors
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name, ARN       string // ARN without ":*", the form the tagging APIs take
	RetentionInDays int32  // 0: never expire
	Tags            map[string]string
	Adopt           bool
}

// Topic is an SNS topic.
type Topic struct {
	Name, ARN   string
	DisplayName string
	Tags        map[string]string
	Adopt       bool
}

// Subscription is keyed by topic, protocol and endpoint; AWS assigns the ARN.
type Subscription struct {
	Topic, Protocol, Endpoint string
	TopicARN                  string
	ARN                       string
	Pending                   bool
}

// MetricFilter is a metric filter and the one metric it publishes.
type MetricFilter struct {
	LogGroup, Name string
	Pattern        string
	Namespace      string
	MetricName     string
	Value          string
	DefaultValue   *float64
	Unit           string
	Dimensions     string // canonical "k=v,k=v"; kmswatch never sets any
}

// Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Name, ARN               string
	Description             string
	Namespace, MetricName   string
	Statistic               string
	Dimensions              string
	Unit                    string
	Period                  int32
	EvaluationPeriods       int32
	DatapointsToAlarm       int32
	Threshold               float64
	Comparison              string
	TreatMissingData        string
	AlarmActions            []string
	OKActions               []string
	InsufficientDataActions []string
	ActionsEnabled          bool
	Tags                    map[string]string
	Adopt                   bool
}

// IDs of resources, "Kind/name".
func trailID(name string) string             { return KindTrail + "/" + name }
func logGroupID(name string) string          { return KindLogGroup + "/" + name }
func topicID(name string) string             { return KindTopic + "/" + name }
func alarmID(name string) string             { return KindAlarm + "/" + name }
func filterID(logGroup, name string) string  { return KindMetricFilter + "/" + logGroup + "/" + name }
func filterKey(logGroup, name string) string { return logGroup + "/" + name }
func (s Subscription) key() string           { return s.Topic + "/" + s.Protocol + "/" + s.Endpoint }
func (s Subscription) id() string            { return KindSubscription + "/" + s.key() }

// ARNs built from the environment.
func (e Env) alarmARN(name string) string {
	return "arn:" + e.Partition + ":cloudwatch:" + e.Region + ":" + e.AccountID + ":alarm:" + name
}
func (e Env) logGroupARN(name string) string {
	return "arn:" + e.Partition + ":logs:" + e.Region + ":" + e.AccountID + ":log-group:" + name
}
func (e Env) topicARN(name string) string {
	return "arn:" + e.Partition + ":sns:" + e.Region + ":" + e.AccountID + ":" + name
}
func (e Env) trailARN(name string) string {
	return "arn:" + e.Partition + ":cloudtrail:" + e.Region + ":" + e.AccountID + ":trail/" + name
}

// resourceRef is a taggable resource named by its ARN.
type resourceRef struct {
	Kind, Name string
}

// parseARN names the taggable resource an ARN points to; ok is false for anything else.
func parseARN(arn string) (resourceRef, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return resourceRef{}, false
	}
	rest := parts[5]
	switch parts[2] {
	case "cloudwatch":
		if name, ok := strings.CutPrefix(rest, "alarm:"); ok {
			return resourceRef{KindAlarm, name}, true
		}
	case "logs":
		if name, ok := strings.CutPrefix(rest, "log-group:"); ok {
			return resourceRef{KindLogGroup, strings.TrimSuffix(name, ":*")}, true
		}
	case "sns":
		if rest != "" && !strings.Contains(rest, ":") {
			return resourceRef{KindTopic, rest}, true
		}
	case "cloudtrail":
		if name, ok := strings.CutPrefix(rest, "trail/"); ok {
			return resourceRef{KindTrail, name}, true
		}
	}
	return resourceRef{}, false
}

// owner reads the ownership tags: the monitor that owns the resource, or "" when kmswatch does not.
func owner(tags map[string]string) string {
	if tags[TagManagedBy] != ManagedByValue {
		return ""
	}
	return tags[TagMonitor]
}

// recordedFilter is the metric filter an alarm's tags say it owns, if any.
func recordedFilter(tags map[string]string) (logGroup, name string, ok bool) {
	lg, n := tags[TagFilterLogGroup], tags[TagFilterName]
	return lg, n, lg != "" && n != ""
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
