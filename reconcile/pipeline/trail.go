package pipeline

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// TrailStatus is what GetTrailStatus says of a trail's deliveries, and what the trail is set to
// deliver to (from DescribeTrails).
type TrailStatus struct {
	Name      string
	Logging   bool
	StartedAt time.Time // StartLoggingTime

	Bucket  string // S3BucketName
	Role    string // CloudWatchLogsRoleArn
	Group   string // CloudWatchLogsLogGroupArn, without ":*"
	KMSKey  string // KmsKeyId as the trail reports it (the key ARN)
	KeyInfo KeyInfo

	DeliveryError                  string    // LatestDeliveryError (S3)
	DeliveryTime                   time.Time // LatestDeliveryTime
	DeliveryAttempt, DeliveryOK    time.Time // LatestDeliveryAttemptTime, LatestDeliveryAttemptSucceeded
	DigestError                    string    // LatestDigestDeliveryError
	NotificationError              string    // LatestNotificationError
	NotificationAttempt            time.Time // LatestNotificationAttemptTime
	NotificationOK                 time.Time // LatestNotificationAttemptSucceeded
	CloudWatchLogsError            string    // LatestCloudWatchLogsDeliveryError
	CloudWatchLogsTime             time.Time // LatestCloudWatchLogsDeliveryTime
	DeliveryAttemptTimesAreUnknown bool      // the "no longer in use" fields were absent
}

// KeyInfo is the state of a trail's KMS key as kms:DescribeKey answers it: "" when the trail has
// no key or its state was not read.
type KeyInfo struct {
	State string // Enabled, Disabled, PendingDeletion, PendingImport, Unavailable; "missing"
	// Err is why the state could not be read (access denied to a key of another account).
	Err string
}

// StatusFromAWS reads GetTrailStatus's answer for the trail name.
func StatusFromAWS(name string, st *cloudtrail.GetTrailStatusOutput) TrailStatus {
	s := TrailStatus{
		Name: name, Logging: aws.ToBool(st.IsLogging), StartedAt: aws.ToTime(st.StartLoggingTime),
		DeliveryError: aws.ToString(st.LatestDeliveryError), DeliveryTime: aws.ToTime(st.LatestDeliveryTime),
		DigestError:         aws.ToString(st.LatestDigestDeliveryError),
		NotificationError:   aws.ToString(st.LatestNotificationError),
		CloudWatchLogsError: aws.ToString(st.LatestCloudWatchLogsDeliveryError),
		CloudWatchLogsTime:  aws.ToTime(st.LatestCloudWatchLogsDeliveryTime),
	}
	var ok1, ok2 bool
	s.DeliveryAttempt, ok1 = attemptTime(st.LatestDeliveryAttemptTime)
	s.DeliveryOK, ok2 = attemptTime(st.LatestDeliveryAttemptSucceeded)
	s.DeliveryAttemptTimesAreUnknown = !ok1 || !ok2
	s.NotificationAttempt, _ = attemptTime(st.LatestNotificationAttemptTime)
	s.NotificationOK, _ = attemptTime(st.LatestNotificationAttemptSucceeded)
	return s
}

// attemptTime parses one of GetTrailStatus's string times ("2023-01-21T18:58:49Z").
func attemptTime(s *string) (time.Time, bool) {
	if s == nil || *s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, *s)
	return t, err == nil
}

// DeliveryError is one current delivery or notification error of a trail.
type DeliveryError struct {
	// Field is GetTrailStatus's field name, e.g. LatestCloudWatchLogsDeliveryError.
	Field string
	// Text is AWS's text, verbatim.
	Text string
	// Fix says what to do about it.
	Fix string
}

// CurrentErrors lists the trail's delivery and notification errors that are current.
//
// GetTrailStatus reports, per destination, the text of the latest error and the time of the
// latest success, but not when the error happened
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html). For
// S3 log files and SNS notifications it also reports — in LatestDeliveryAttemptTime and
// LatestDeliveryAttemptSucceeded, LatestNotificationAttemptTime and
// LatestNotificationAttemptSucceeded, documented as "no longer in use" but still filled — the
// time of the latest attempt and of the latest attempt that succeeded. An error is superseded when
// those say the latest attempt succeeded (the success is not older than the attempt); otherwise,
// and whenever they are absent, it is current: nothing else tells that a later success came after
// it. Digest and CloudWatch Logs errors have no attempt times, so they are current while AWS
// reports them.
func (s TrailStatus) CurrentErrors() []DeliveryError {
	var out []DeliveryError
	if s.DeliveryError != "" && (s.DeliveryAttemptTimesAreUnknown || s.DeliveryOK.Before(s.DeliveryAttempt)) {
		out = append(out, DeliveryError{"LatestDeliveryError", s.DeliveryError, s3Fix(s, s.DeliveryError)})
	}
	if s.DigestError != "" {
		out = append(out, DeliveryError{"LatestDigestDeliveryError", s.DigestError, s3Fix(s, s.DigestError)})
	}
	if s.NotificationError != "" && (s.NotificationAttempt.IsZero() || s.NotificationOK.Before(s.NotificationAttempt)) {
		out = append(out, DeliveryError{"LatestNotificationError", s.NotificationError,
			"check the trail's SNS topic and that its access policy lets cloudtrail.amazonaws.com publish"})
	}
	if s.CloudWatchLogsError != "" {
		out = append(out, DeliveryError{"LatestCloudWatchLogsDeliveryError", s.CloudWatchLogsError, logsFix(s)})
	}
	return out
}

// s3Fix says what fixes an S3 delivery error: S3's error codes, and SSE-KMS's for the trail's key.
func s3Fix(s TrailStatus, text string) string {
	switch {
	case strings.Contains(text, "NoSuchBucket"):
		return "the trail's bucket " + s.Bucket + " does not exist: create it with CloudTrail's bucket policy, or point the trail at another bucket (UpdateTrail)"
	case strings.HasPrefix(text, "KMS."):
		return "CloudTrail cannot encrypt with the trail's KMS key " + s.KMSKey + ": enable it, cancel its deletion, or let cloudtrail.amazonaws.com use it in its key policy"
	}
	return "fix the bucket policy of " + s.Bucket + " so that CloudTrail can write to it (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html), or point the trail at a new bucket"
}

// logsFix says what fixes a CloudWatch Logs delivery error.
func logsFix(s TrailStatus) string {
	if strings.Contains(s.CloudWatchLogsError, "ResourceNotFound") {
		return "the log group " + s.Group + " does not exist: create it (kmswatch does, when the Monitor owns it)"
	}
	return "check that role " + s.Role + " exists, trusts cloudtrail.amazonaws.com, and allows logs:CreateLogStream and logs:PutLogEvents on " + s.Group +
		" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html)"
}

// KeyProblem is what is wrong with the trail's KMS key, "" when nothing is (or it is not known).
func (s TrailStatus) KeyProblem() (text, fix string) {
	if s.KMSKey == "" {
		return "", ""
	}
	switch s.KeyInfo.State {
	case "", "Enabled":
		return "", ""
	case "missing":
		return "KMS key " + s.KMSKey + " does not exist", "point the trail at an existing key (UpdateTrail KmsKeyId), or remove its kmsKeyId"
	case "Disabled":
		return "KMS key " + s.KMSKey + " is Disabled", "enable it (kms EnableKey): CloudTrail cannot encrypt the trail's log files with a disabled key"
	case "PendingDeletion":
		return "KMS key " + s.KMSKey + " is PendingDeletion", "cancel the deletion (kms CancelKeyDeletion) and enable the key, or point the trail at another key"
	}
	return "KMS key " + s.KMSKey + " is " + s.KeyInfo.State, "make the key usable (Enabled), or point the trail at another key"
}
