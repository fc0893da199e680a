package reconcile

import (
	"time"

	"github.com/kmswatch/kmswatch/reconcile/selectors"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/spec/redact"
)

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

// State is one Monitor's desired chain, as Desired computes it: one field per kind of item, each
// list sorted by name.
type State struct {
	Monitor string
	// Digest is the Monitor's SpecDigest; AppliedBy the marker (TagAppliedBy) its writes carry,
	// "" when the Env names no instance.
	Digest, AppliedBy string
	LogGroup          *LogGroup
	Trail             *Trail
	// Topics each carry their desired subscriptions.
	Topics []Topic
	// Alarms each carry their metric filter; the heartbeat's switch is one of them.
	Alarms []Alarm
	// Pipeline is how the Monitor's chain is checked for delivery (not an AWS resource).
	Pipeline PipelineSpec
}

// PipelineSpec is what a Monitor asks of its pipeline's checks.
type PipelineSpec struct {
	// StaleAfter is spec.logGroup.staleAfter.
	StaleAfter time.Duration
	// Heartbeat is the dead man's switch, nil without spec.heartbeat.
	Heartbeat *HeartbeatSpec
	// CountHeartbeat are the Monitor's alarms whose patterns count kmswatch's own heartbeat.
	CountHeartbeat []string
}

// HeartbeatSpec is a Monitor's heartbeat: its switch alarm (and filter) name, namespace and
// metric, and its timing.
type HeartbeatSpec struct {
	Name                  string
	Namespace, MetricName string
	Every, AlarmAfter     time.Duration
}

// Actual is what was observed of one Monitor's chain in its region: every resource of a desired
// name that exists, and every resource the Monitor owns. Tags are the ownership tags known for
// each (nil: none).
type Actual struct {
	LogGroups []LogGroup
	Trails    []Trail
	// Feeding are the region's trails that deliver to the Monitor's log group, whoever owns them.
	Feeding []Trail
	// Topics carry their subscriptions when the topic is desired (an unwanted topic is deleted
	// whole, subscriptions and all).
	Topics []Topic
	Alarms []Alarm
	// Filters are the metric filters of the log groups that can hold the Monitor's filters.
	Filters []MetricFilter
	// Pipeline is what the pass observed of the chain's delivery, and its verdict.
	Pipeline pipeline.Report
	// HeartbeatArmed says the switch's alarm may be created (pipeline.HeartbeatInput.Armed).
	HeartbeatArmed bool
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
	// Organization is IsOrganizationTrail: always set in an observed Trail; in a desired one, nil
	// when the spec leaves it unset, which means "don't care" (turning an organization trail into
	// an account trail, or back, changes what every account of the organization logs).
	Organization *bool
	Logging      bool
	Management   selectors.Management
	// Selectors are the event selectors as observed (unset in a desired Trail): Diff compares
	// only their effect, Management, and a repair edits them rather than replacing them.
	Selectors selectors.Set
	// Status is what GetTrailStatus says of its deliveries (observed only).
	Status pipeline.TrailStatus
	Tags   map[string]string
	Adopt  bool
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name, ARN       string // ARN without ":*", the form the tagging APIs take
	RetentionInDays int32  // 0: never expire
	Tags            map[string]string
	Adopt           bool
}

// Topic is an SNS topic and its subscriptions.
type Topic struct {
	Name, ARN     string
	DisplayName   string
	Subscriptions []Subscription
	Tags          map[string]string
	Adopt         bool
}

// Subscription is keyed by topic, protocol and endpoint; AWS assigns the ARN. Endpoint is the
// endpoint itself, which may hold a credential: nothing prints it, and the subscription's id names
// it by its display form (redact.Endpoint).
type Subscription struct {
	Topic, Protocol, Endpoint string
	TopicARN                  string
	ARN                       string
	Pending                   bool
	// Display, when set, is the display form of the whole endpoint of a subscription that SNS
	// lists masked (Endpoint then holds the listed form).
	Display string
}

func (s Subscription) ref() Ref {
	display := s.Display
	if display == "" {
		display = redact.Endpoint(s.Endpoint)
	}
	return subscriptionRef(s.Topic, s.Protocol, display)
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
	// Created is when AWS created it (observed only; zero when AWS does not say).
	Created time.Time
}

func (f MetricFilter) ref() Ref { return filterRef(f.LogGroup, f.Name) }

// Alarm is a CloudWatch metric alarm. A desired alarm carries its metric filter: the two are one
// spec item, and the alarm records the filter in its tags.
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
	// Filter is the alarm's metric filter in a desired Alarm; nil in an observed one (observed
	// filters are in Actual.Filters).
	Filter *MetricFilter
	// Heartbeat marks the desired dead man's switch, whose creation waits to be armed.
	Heartbeat bool
	// State is the observed alarm's state: OK, ALARM or INSUFFICIENT_DATA.
	State string
}

// owner reads the ownership tags: the monitor that owns the resource, or "" when kmswatch does not.
func owner(tags map[string]string) string {
	if tags[TagManagedBy] != ManagedByValue {
		return ""
	}
	return tags[TagMonitor]
}

// recordedFilter is the metric filter an alarm's tags say it owns, if any.
func recordedFilter(tags map[string]string) (Ref, bool) {
	lg, n := tags[TagFilterLogGroup], tags[TagFilterName]
	return filterRef(lg, n), lg != "" && n != ""
}
