package core

import "time"

// Bus carries the pipeline between services. Each hook is set by the service that owns the
// receiving end when it registers; a nil hook means that service is absent and the event drops.
// Hooks run with the emulator's lock held.
type Bus struct {
	// Audit receives one CloudTrail record per API call that CloudTrail would log.
	Audit func(rec AuditRecord)
	// PutLogEvents delivers events to a log group's stream (creating the stream).
	PutLogEvents func(group, stream string, events []LogEvent) error
	// PutDatum records one metric datapoint (a metric filter's output).
	PutDatum func(d Datum)
	// Publish sends a message to a topic's confirmed subscribers.
	Publish func(topicArn, subject, message string) error
	// KeyState answers the state of a KMS key given by key ARN (Enabled, Disabled,
	// PendingDeletion), and false for a key that does not exist: what CloudTrail meets when it
	// encrypts a trail's log files with the trail's KmsKeyId.
	KeyState func(keyARN string) (state string, ok bool)
}

// AuditRecord is one CloudTrail record, in CloudTrail's own JSON shape (Record), with the fields
// a trail's event selectors decide on pulled out.
type AuditRecord struct {
	Time time.Time
	// Account is the account the event happened in: the record's recipientAccountId.
	Account    string
	Source     string // e.g. kms.amazonaws.com
	Name       string // e.g. Decrypt
	ReadOnly   bool
	Management bool
	Record     map[string]any
}

// LogEvent is one CloudWatch Logs event.
type LogEvent struct {
	Time    time.Time
	Message string
}

// Datum is one metric datapoint.
type Datum struct {
	// Region is where the datapoint is recorded; "" means the emulator's default region.
	Region     string
	Namespace  string
	MetricName string
	Dimensions map[string]string
	Time       time.Time
	Value      float64
	Unit       string
}
