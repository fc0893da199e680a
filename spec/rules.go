package spec

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// The closed sets a monitor.yaml field may take. The JSON Schema's enums are tested against these.
var (
	// statistics are CloudWatch's plain statistics; extended ones (p90, …) are not supported.
	statistics = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	// comparisons are the static-threshold operators (the anomaly-band ones need a band).
	comparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	// treatMissingDataValues are CloudWatch's missing-data treatments.
	treatMissingDataValues = []string{"breaching", "notBreaching", "ignore", "missing"}
	// protocols are the SNS subscription protocols.
	protocols = []string{"email", "email-json", "http", "https", "sms", "sqs", "lambda", "firehose", "application"}
	// deletionPolicies are the values of deletionPolicy.
	deletionPolicies = []string{string(DeletionRetain), string(DeletionDelete)}
	// retentionDays are the values PutRetentionPolicy accepts; 0 (unset) means never expire.
	retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	// units are CloudWatch's StandardUnit values.
	units = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
		"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
		"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
		"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}
)

// Limits from the AWS API references and from kmswatch's tags.
const (
	MaxMonitorName        = 63  // kept short so the kmswatch.dev/monitor tag value and log lines stay readable
	MaxAlarmName          = 255 // PutMetricAlarm AlarmName
	MaxFilterName         = 512 // PutMetricFilter filterName
	MaxLogGroupName       = 512
	MaxTopicName          = 256
	MaxTopicDisplayName   = 100 // SNS: DisplayName is used as the SMS sender and is capped at 100
	MaxDescription        = 1024
	MaxFilterPattern      = 1024
	MaxMetricName         = 255
	MaxMetricValue        = 100
	MaxActions            = 5   // per action list of an alarm
	MaxFiltersPerLogGroup = 100 // CloudWatch Logs quota, cannot be raised
	MaxS3KeyPrefix        = 200
	MaxPeriodTotal        = 7 * 24 * 3600 // period × evaluationPeriods, seconds
	MaxShortPeriodTotal   = 24 * 3600     // … when period < 1 hour
)

const (
	arnPartition = `arn:aws(-cn|-us-gov|-iso|-iso-b)?`
	arnRegion    = `[a-z]{2}(-[a-z]+)+-\d`
	arnAccount   = `\d{12}`
	iamName      = `[\w+=,.@-]+`
	iamPath      = `(/[\x21-\x7e]*/|/)?`
)

var (
	reMonitorName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	reRegion      = regexp.MustCompile(`^` + arnRegion + `$`)
	reLogGroup    = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	reTopicName   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	reTrailName   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	reTrailSpecs  = regexp.MustCompile(`[._-][._-]`)
	reIPv4        = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	reBucket      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reRoleArn     = regexp.MustCompile(`^` + arnPartition + `:iam::` + arnAccount + `:role` + iamPath + iamName + `$`)
	rePrincipal   = regexp.MustCompile(`^` + arnPartition + `:(iam::` + arnAccount + `:(role|user)` + iamPath + iamName +
		`|iam::` + arnAccount + `:root|sts::` + arnAccount + `:(assumed-role/` + iamName + `/` + iamName + `|federated-user/` + iamName + `))$`)
	// A key id or key ARN, not an alias: CloudTrail reports the key's ARN, which an alias can be
	// compared with only through kms:DescribeKey, and an alias may be re-pointed at any time.
	reKMSKey      = regexp.MustCompile(`^(` + arnPartition + `:kms:` + arnRegion + `:` + arnAccount + `:)?(key/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	reKMSAlias    = regexp.MustCompile(`^(` + arnPartition + `:kms:` + arnRegion + `:` + arnAccount + `:)?alias/`)
	reTopicArn    = regexp.MustCompile(`^` + arnPartition + `:sns:` + arnRegion + `:` + arnAccount + `:[A-Za-z0-9_-]{1,256}$`)
	reSQSArn      = regexp.MustCompile(`^` + arnPartition + `:sqs:` + arnRegion + `:` + arnAccount + `:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
	reLambdaArn   = regexp.MustCompile(`^` + arnPartition + `:lambda:` + arnRegion + `:` + arnAccount + `:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$`)
	reFirehoseArn = regexp.MustCompile(`^` + arnPartition + `:firehose:` + arnRegion + `:` + arnAccount + `:deliverystream/[A-Za-z0-9_.-]{1,64}$`)
	reAppEndpoint = regexp.MustCompile(`^` + arnPartition + `:sns:` + arnRegion + `:` + arnAccount + `:endpoint/[A-Z_]+/[A-Za-z0-9_.-]+/[A-Za-z0-9-]+$`)
	reE164        = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)
	reMetricChars = regexp.MustCompile(`^[^:*$]*$`)
	reMetricValue = regexp.MustCompile(`^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|\$\.[A-Za-z0-9_-]+(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*|\$[A-Za-z0-9_]+)$`)
	reEventSource = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$`)
	reEventName   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	reErrorCode   = regexp.MustCompile(`^\*?[A-Za-z0-9.:_-]+\*?$`)
	reAccountID   = regexp.MustCompile(`^` + arnAccount + `$`)
)

func contains[T comparable](set []T, v T) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// oneOf renders a closed set for a message: "Sum, Average or Maximum".
func oneOf(set []string) string {
	if len(set) == 1 {
		return set[0]
	}
	return strings.Join(set[:len(set)-1], ", ") + " or " + set[len(set)-1]
}

// trailNameProblem applies CloudTrail's rules for trail names (CreateTrailInput.Name).
func trailNameProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 128:
		return "must be 3 to 128 characters"
	case !reTrailName.MatchString(name):
		return "may hold only ASCII letters, digits, '.', '_' and '-', and must start and end with a letter or digit"
	case reTrailSpecs.MatchString(name):
		return "must not have adjacent '.', '_' or '-' (CloudTrail rejects my-_trail and my--trail)"
	case reIPv4.MatchString(name):
		return "must not look like an IP address"
	}
	return ""
}

// logGroupNameProblem applies CloudWatch Logs' rules (CreateLogGroup logGroupName).
func logGroupNameProblem(name string) string {
	switch {
	case len(name) > MaxLogGroupName:
		return fmt.Sprintf("must be at most %d characters", MaxLogGroupName)
	case !reLogGroup.MatchString(name):
		return "may hold only letters, digits, '_', '-', '/', '.' and '#'"
	case strings.HasPrefix(name, "aws/"):
		return "must not start with aws/ (reserved for AWS services)"
	}
	return ""
}

// endpointProblem says what is wrong with an SNS subscription endpoint for its protocol.
func endpointProblem(protocol, endpoint string) string {
	switch protocol {
	case "email", "email-json":
		a, err := mail.ParseAddress(endpoint)
		if err != nil || a.Address != endpoint || !strings.Contains(endpoint[strings.LastIndexByte(endpoint, '@'):], ".") {
			return "must be an email address such as secops@example.com"
		}
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return fmt.Sprintf("must be an absolute %s:// URL", protocol)
		}
	case "sms":
		if !reE164.MatchString(endpoint) {
			return "must be a phone number in E.164 form, such as +61400000000"
		}
	case "sqs":
		if !reSQSArn.MatchString(endpoint) {
			return "must be an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:QUEUE)"
		}
	case "lambda":
		if !reLambdaArn.MatchString(endpoint) {
			return "must be a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"
		}
	case "firehose":
		if !reFirehoseArn.MatchString(endpoint) {
			return "must be a Firehose delivery stream ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)"
		}
		// SNS refuses a Firehose subscription without a SubscriptionRoleArn attribute, which
		// monitor.yaml cannot express yet: better said now than by a failing Subscribe.
		return "firehose subscriptions need a SubscriptionRoleArn, which kmswatch does not manage yet"
	case "application":
		if !reAppEndpoint.MatchString(endpoint) {
			return "must be an SNS platform endpoint ARN (arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID)"
		}
	}
	return ""
}
