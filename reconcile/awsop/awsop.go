package awsop

import "strings"

// readPrefixes are the operation-name prefixes of AWS's read-only operations in the services
// kmswatch calls: Describe*, Get*, List*, Lookup* (CloudTrail LookupEvents), Test*
// (CloudWatch Logs TestMetricFilter, which evaluates a pattern against sample lines and stores
// nothing), Filter* (CloudWatch Logs FilterLogEvents) and Head* (S3 HeadObject, HeadBucket).
var readPrefixes = []string{"Describe", "Get", "List", "Lookup", "Test", "Filter", "Head"}

// kmsReads are KMS's cryptographic operations. They change no AWS state, and CloudTrail records
// them with "readOnly": true (see the readOnly field in
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// and the KMS entries in
// https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html).
var kmsReads = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateDataKeyPair": true,
	"GenerateDataKeyPairWithoutPlaintext": true, "GenerateRandom": true, "Sign": true, "Verify": true,
}

// ReadOnly reports whether an operation of service ("cloudwatch", "logs", "cloudtrail", "sns",
// "kms", "tagging", "s3") only reads, as CloudTrail's readOnly field classes it: any operation
// named Describe*, Get*, List*, Lookup*, Test*, Filter* or Head*, and KMS's cryptographic
// operations.
// Everything else (Create*, Put*, Delete*, Tag*, Subscribe, Publish, Start/StopLogging, …) is
// a write.
func ReadOnly(service, op string) bool {
	for _, p := range readPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return service == "kms" && kmsReads[op]
}

// IsWrite reports whether a "service:Operation" key (the form call counts are kept in, e.g.
// "cloudwatch:PutMetricAlarm") names a call that is not ReadOnly. A key without a colon is taken
// as an operation name of no particular service.
func IsWrite(key string) bool {
	service, op, found := strings.Cut(key, ":")
	if !found {
		service, op = "", key
	}
	return !ReadOnly(service, op)
}

// Writes totals the write calls of a call count keyed "service:Operation".
func Writes(calls map[string]int) int {
	n := 0
	for k, v := range calls {
		if IsWrite(k) {
			n += v
		}
	}
	return n
}
