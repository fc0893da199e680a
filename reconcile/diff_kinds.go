package reconcile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The per-kind diffs below compare a desired resource with the observed one, both already
// normalised (Observe fills AWS's defaults in), and name each differing field by its spec path.

func diffAlarm(want, got *Alarm) []FieldChange {
	var d fieldDiff
	d.str("description", got.Description, want.Description)
	d.str("metric.namespace", got.Namespace, want.Namespace)
	d.str("metric.name", got.MetricName, want.MetricName)
	d.str("statistic", got.Statistic, want.Statistic)
	d.str("dimensions", got.Dimensions, want.Dimensions)
	d.str("unit", got.Unit, want.Unit)
	d.int("period", got.Period, want.Period)
	d.int("evaluationPeriods", got.EvaluationPeriods, want.EvaluationPeriods)
	d.int("datapointsToAlarm", got.DatapointsToAlarm, want.DatapointsToAlarm)
	d.float("threshold", got.Threshold, want.Threshold)
	d.str("comparison", got.Comparison, want.Comparison)
	d.str("treatMissingData", got.TreatMissingData, want.TreatMissingData)
	d.list("alarmActions", got.AlarmActions, want.AlarmActions)
	d.list("okActions", got.OKActions, want.OKActions)
	d.list("insufficientDataActions", got.InsufficientDataActions, want.InsufficientDataActions)
	d.bool("actionsEnabled", got.ActionsEnabled, want.ActionsEnabled)
	d.tags(got.Tags, want.Tags)
	return d
}

func diffFilter(want, got *MetricFilter) []FieldChange {
	var d fieldDiff
	d.str("filterPattern", got.Pattern, want.Pattern)
	d.str("metric.namespace", got.Namespace, want.Namespace)
	d.str("metric.name", got.MetricName, want.MetricName)
	d.str("metric.value", got.Value, want.Value)
	d.str("metric.defaultValue", floatPtr(got.DefaultValue), floatPtr(want.DefaultValue))
	d.str("metric.unit", got.Unit, want.Unit)
	d.str("metric.dimensions", got.Dimensions, want.Dimensions)
	return d
}

func diffLogGroup(want, got *LogGroup) []FieldChange {
	var d fieldDiff
	if got.RetentionInDays != want.RetentionInDays {
		d = append(d, FieldChange{Field: "retentionInDays", From: retention(got.RetentionInDays), To: retention(want.RetentionInDays)})
	}
	d.tags(got.Tags, want.Tags)
	return d
}

func diffTrail(want, got *Trail) []FieldChange {
	var d fieldDiff
	d.str("s3BucketName", got.S3BucketName, want.S3BucketName)
	d.str("s3KeyPrefix", got.S3KeyPrefix, want.S3KeyPrefix)
	d.str("cloudWatchLogsLogGroupArn", got.LogGroupARN, want.LogGroupARN)
	d.str("cloudWatchLogsRoleArn", got.RoleARN, want.RoleARN)
	d.bool("multiRegion", got.MultiRegion, want.MultiRegion)
	d.bool("logFileValidation", got.LogFileValidation, want.LogFileValidation)
	if want.KMSKeyID != "" && !sameKMSKey(got.KMSKeyID, want.KMSKeyID) { // unset means "don't care"
		d = append(d, FieldChange{Field: "kmsKeyId", From: got.KMSKeyID, To: want.KMSKeyID})
	}
	d.bool("logging", got.Logging, want.Logging)
	d = append(d, diffManagement(want.Management, got.Management)...)
	d.tags(got.Tags, want.Tags)
	return d
}

// sameKMSKey tells whether the key a trail reports (CloudTrail reports the key ARN) is the key the
// spec names by key ARN, key id or "key/<id>". Spec validation rejects aliases, which only
// kms:DescribeKey could resolve.
func sameKMSKey(got, want string) bool {
	if got == want {
		return true
	}
	if strings.HasPrefix(want, "arn:") {
		return false
	}
	return strings.HasSuffix(got, ":key/"+strings.TrimPrefix(want, "key/"))
}

func diffManagement(want, got ManagementEvents) []FieldChange {
	var d fieldDiff
	prefix := "eventSelectors."
	if got.Advanced {
		prefix = "advancedEventSelectors."
	}
	d.bool(prefix+"includeManagementEvents", got.Included, want.Included)
	d.str(prefix+"readWriteType", got.ReadWriteType, want.ReadWriteType)
	d.list(prefix+"excludeManagementEventSources", got.ExcludedSources, want.ExcludedSources)
	return d
}

func diffTopic(want, got *Topic) []FieldChange {
	var d fieldDiff
	if want.DisplayName != "" { // unset means "don't care"
		d.str("displayName", got.DisplayName, want.DisplayName)
	}
	d.tags(got.Tags, want.Tags)
	return d
}

// fieldDiff collects FieldChanges, formatting values the way the text output prints them.
type fieldDiff []FieldChange

func (d *fieldDiff) str(field, from, to string) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: from, To: to})
	}
}

func (d *fieldDiff) int(field string, from, to int32) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: strconv.Itoa(int(from)), To: strconv.Itoa(int(to))})
	}
}

func (d *fieldDiff) float(field string, from, to float64) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: formatFloat(from), To: formatFloat(to)})
	}
}

func (d *fieldDiff) bool(field string, from, to bool) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: strconv.FormatBool(from), To: strconv.FormatBool(to)})
	}
}

// list compares as sets in sorted order: AWS returns actions and sources in its own order.
func (d *fieldDiff) list(field string, from, to []string) {
	f, t := sortedCopy(from), sortedCopy(to)
	if strings.Join(f, "\x00") != strings.Join(t, "\x00") {
		*d = append(*d, FieldChange{Field: field, From: formatList(f), To: formatList(t)})
	}
}

// tags compares only the keys kmswatch wants: other tags on a resource are someone else's business.
func (d *fieldDiff) tags(got, want map[string]string) {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			*d = append(*d, FieldChange{Field: "tags." + k, From: got[k], To: want[k]})
		}
	}
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func floatPtr(f *float64) string {
	if f == nil {
		return ""
	}
	return formatFloat(*f)
}

func formatList(s []string) string { return "[" + strings.Join(s, ", ") + "]" }

func retention(days int32) string {
	if days == 0 {
		return "never"
	}
	return fmt.Sprint(days)
}

// onlyTags reports whether every change is a tag change: the update is then a TagResource alone.
func onlyTags(fc []FieldChange) bool {
	for _, c := range fc {
		if !strings.HasPrefix(c.Field, "tags.") {
			return false
		}
	}
	return true
}

// hasTags reports whether any change is a tag change.
func hasTags(fc []FieldChange) bool {
	for _, c := range fc {
		if strings.HasPrefix(c.Field, "tags.") {
			return true
		}
	}
	return false
}
