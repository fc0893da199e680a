package spec

// APIVersion and KindMonitor are the only header values a monitor.yaml document may carry.
const (
	APIVersion  = "kmswatch.dev/v1alpha1"
	KindMonitor = "Monitor"
)

// Monitor is one monitor.yaml document: a trail, a log group, the metric filters and alarms that
// watch it, and the topics that are told. Its metadata.name is the owner identity written into the
// ownership tags of every resource it creates.
type Monitor struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Metadata   Metadata    `json:"metadata"`
	Spec       MonitorSpec `json:"spec"`
}

// Metadata identifies a Monitor.
type Metadata struct {
	// Name: lower-case letters, digits and '-'; used in the kmswatch.dev/monitor tag.
	Name string `json:"name"`
}

// MonitorSpec is the desired chain.
type MonitorSpec struct {
	// Region is optional; the AWS configuration's region applies otherwise.
	Region string `json:"region,omitempty"`
	// Trail is optional: a trail that this monitor manages and that delivers to LogGroup.
	Trail    *Trail   `json:"trail,omitempty"`
	LogGroup LogGroup `json:"logGroup"`
	Topics   []Topic  `json:"topics,omitempty"`
	Alarms   []Alarm  `json:"alarms,omitempty"`
	// Presets include named, versioned sets of alarms shipped with kmswatch (spec/presets).
	// Load expands them into Alarms, so a loaded Monitor has none left.
	Presets []PresetRef `json:"presets,omitempty"`
	// Heartbeat, when set, proves the pipeline live end to end: kmswatch makes one harmless KMS
	// read every Every and keeps a metric filter and an alarm (the dead man's switch, both named
	// <metadata.name>-heartbeat) that goes to ALARM when none reached the log group for AlarmAfter.
	Heartbeat *Heartbeat `json:"heartbeat,omitempty"`
}

// PresetRef includes a preset's alarms in the Monitor. Each becomes an ordinary alarm under the
// preset's own, stable name (spec/presets), with the preset's filter pattern and settings, the
// alarm actions given here, and the overrides; excluded alarms are left out.
type PresetRef struct {
	// Name and Version select the preset; a version's names and patterns never change.
	Name    string `json:"name"`
	Version string `json:"version"`
	// AlarmActions are given to every alarm of the preset: topic names of this Monitor or SNS
	// topic ARNs.
	AlarmActions []string `json:"alarmActions,omitempty"`
	// Overrides change the settings of single alarms, keyed by the preset's alarm name.
	Overrides map[string]PresetOverride `json:"overrides,omitempty"`
	// Exclude leaves out alarms of the preset, by name.
	Exclude []string `json:"exclude,omitempty"`
}

// PresetOverride is what a Monitor may change in one alarm of a preset. Unset fields keep the
// preset's value; the filter pattern and the names are not overridable.
type PresetOverride struct {
	Threshold         *float64 `json:"threshold,omitempty"`
	Period            Duration `json:"period,omitzero"`
	EvaluationPeriods int      `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm int      `json:"datapointsToAlarm,omitempty"`
	TreatMissingData  string   `json:"treatMissingData,omitempty"`
	// AlarmActions replace the preset-wide alarmActions for this alarm.
	AlarmActions []string `json:"alarmActions,omitempty"`
}

// Heartbeat configures the dead man's switch. Removing it from a Monitor deletes the switch.
type Heartbeat struct {
	// Every is how often kmswatch makes its heartbeat call (kms:ListAliases, Limit 1); default 5m.
	Every Duration `json:"every,omitempty"`
	// AlarmAfter is how long without a heartbeat reaching the log group puts the switch in ALARM;
	// default 30m.
	AlarmAfter Duration `json:"alarmAfter,omitempty"`
	// AlarmActions name topics of this file or are SNS topic ARNs; default: every topic the
	// Monitor's alarms notify.
	AlarmActions []string `json:"alarmActions,omitempty"`
}

// DeletionPolicy says what happens to a resource whose item is removed from a Monitor.
type DeletionPolicy string

// Deletion policies. Data-bearing resources (log groups, trails) default to Retain, the others to Delete.
const (
	DeletionRetain DeletionPolicy = "Retain"
	DeletionDelete DeletionPolicy = "Delete"
)

// Ownership sits inline on every item that governs an AWS resource.
type Ownership struct {
	// Adopt takes over an existing resource of the desired name that kmswatch does not own.
	Adopt bool `json:"adopt,omitempty"`
	// DeletionPolicy is recorded on the resource as a tag when it is created or adopted.
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// Trail is a CloudTrail trail that delivers to the monitor's log group.
type Trail struct {
	Name string `json:"name"`
	// S3BucketName must already exist; CloudTrail always writes to S3 as well.
	S3BucketName string `json:"s3BucketName"`
	S3KeyPrefix  string `json:"s3KeyPrefix,omitempty"`
	// CloudWatchLogsRoleArn is the role CloudTrail assumes to write to the log group.
	CloudWatchLogsRoleArn string `json:"cloudWatchLogsRoleArn"`
	// MultiRegion defaults to true.
	MultiRegion *bool `json:"multiRegion,omitempty"`
	// LogFileValidation defaults to true.
	LogFileValidation *bool  `json:"logFileValidation,omitempty"`
	KMSKeyID          string `json:"kmsKeyId,omitempty"`
	// Organization makes the trail an organization trail (IsOrganizationTrail), logging every
	// account of the AWS Organization; only the management account or CloudTrail's delegated
	// administrator may create one.
	Organization *bool `json:"organization,omitempty"`
	Ownership    `json:",inline"`
}

// LogGroup is the CloudWatch Logs log group the trail delivers to and the metric filters read.
type LogGroup struct {
	Name string `json:"name"`
	// RetentionInDays is one of CloudWatch Logs' allowed values; 0 means never expire.
	RetentionInDays int `json:"retentionInDays,omitempty"`
	// StaleAfter is how long a log group that a logging trail feeds may receive no event before
	// kmswatch warns that its pipeline is stale; default 30m.
	StaleAfter Duration `json:"staleAfter,omitempty"`
	Ownership  `json:",inline"`
}

// Topic is an SNS topic and the subscriptions that must exist on it.
type Topic struct {
	Name          string         `json:"name"`
	DisplayName   string         `json:"displayName,omitempty"`
	Subscriptions []Subscription `json:"subscriptions,omitempty"`
	Ownership     `json:",inline"`
}

// Subscription is keyed by (topic, protocol, endpoint); AWS assigns its ARN. The endpoint is
// written in the file (Endpoint) or read from the environment when the file is loaded
// (EndpointFrom), exactly one of the two, so that an endpoint carrying a credential need not be
// committed. Target is the endpoint to subscribe; Display is what may be printed.
type Subscription struct {
	Protocol string `json:"protocol"`
	// Endpoint is the endpoint as written in the file; empty when EndpointFrom is given.
	Endpoint string `json:"endpoint,omitempty"`
	// EndpointFrom names where the endpoint is read from, in place of Endpoint.
	EndpointFrom *EndpointSource `json:"endpointFrom,omitempty"`
	// Resolved is the endpoint read through EndpointFrom when the file was loaded; empty for an
	// Endpoint written in the file, and when the variable was unset and that was allowed
	// (LoadOptions.AllowUnsetEnv). It never appears in JSON or YAML, and prints redacted.
	Resolved Secret `json:"-"`
}

// EndpointSource says where an endpoint is read from.
type EndpointSource struct {
	// Env is the name of an environment variable holding the endpoint.
	Env string `json:"env"`
}

// Alarm is a metric filter on the log group and the CloudWatch alarm on the metric it publishes.
type Alarm struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// FilterName names the metric filter; it defaults to the alarm's name.
	FilterName string `json:"filterName,omitempty"`
	// Exactly one of Match and FilterPattern.
	Match             *Match   `json:"match,omitempty"`
	FilterPattern     string   `json:"filterPattern,omitempty"`
	Metric            Metric   `json:"metric"`
	Statistic         string   `json:"statistic,omitempty"`
	Period            Duration `json:"period"`
	EvaluationPeriods int      `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm int      `json:"datapointsToAlarm,omitempty"`
	// Threshold is required; a pointer so that 0 is distinguishable from "missing".
	Threshold        *float64 `json:"threshold"`
	Comparison       string   `json:"comparison"`
	TreatMissingData string   `json:"treatMissingData,omitempty"`
	// Actions name topics of this file or are SNS topic ARNs.
	AlarmActions            []string `json:"alarmActions,omitempty"`
	OKActions               []string `json:"okActions,omitempty"`
	InsufficientDataActions []string `json:"insufficientDataActions,omitempty"`
	// ActionsEnabled defaults to true.
	ActionsEnabled *bool `json:"actionsEnabled,omitempty"`
	Ownership      `json:",inline"`
}

// Match is the shorthand compiled to one canonical JSON filter pattern; its clauses are joined with &&.
type Match struct {
	EventSource string   `json:"eventSource,omitempty"`
	EventNames  []string `json:"eventNames,omitempty"`
	// ErrorsOnly compiles to $.errorCode = "*" (the field is present).
	ErrorsOnly bool `json:"errorsOnly,omitempty"`
	// SuccessOnly compiles to $.errorCode NOT EXISTS.
	SuccessOnly bool `json:"successOnly,omitempty"`
	// ErrorCodes match $.errorCode against each value (wildcards allowed), joined with ||.
	ErrorCodes []string `json:"errorCodes,omitempty"`
	// PrincipalArn matches $.userIdentity.sessionContext.sessionIssuer.arn or $.userIdentity.arn.
	PrincipalArn string `json:"principalArn,omitempty"`
	// Accounts match $.recipientAccountId against each account id, joined with ||: the account
	// an event happened in, which is what tells accounts apart in an organization trail.
	Accounts []string `json:"accounts,omitempty"`
}

// Metric is what the metric filter publishes and the alarm watches.
type Metric struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Value defaults to "1"; a number, or a selector such as "$.bytes".
	Value string `json:"value,omitempty"`
	// DefaultValue is published for minutes in which events arrived but none matched.
	DefaultValue *float64 `json:"defaultValue,omitempty"`
	Unit         string   `json:"unit,omitempty"`
}
