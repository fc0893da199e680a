package cloudwatch

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// CloudWatch reports model-constraint violations as ValidationError ("1 validation error
// detected: Value 'x' at 'period' failed to satisfy constraint: …", member names in camelCase)
// and semantic ones (Period 10/20/30/n×60, DatapointsToAlarm ≤ EvaluationPeriods) as
// ValidationError with a sentence, e.g. "DatapointsToAlarm must be less than or equal to
// EvaluationPeriods" (hashicorp/terraform#24070).

var (
	alarmStates         = []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
	alarmStatistics     = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	comparisonOperators = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
		"LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold",
		"GreaterThanUpperThreshold"}
	treatMissingValues = []string{"breaching", "notBreaching", "ignore", "missing"}
	standardUnits      = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
		"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
		"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
		"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
		"Count/Second", "None"}
	// extendedStatistic accepts the shorthand forms the emulator can compute: pNN, tmNN, wmNN,
	// tcNN, tsNN (NN in 0–100, up to two decimals) and IQM.
	extendedStatistic = regexp.MustCompile(`^(?:(?:p|tm|wm|tc|ts)(?:100|[0-9]{1,2})(?:\.[0-9]{1,2})?|IQM)$`)
)

func cwValidation(member, value, constraint string) *wire.APIError {
	return &wire.APIError{Type: "ValidationException", Code: "ValidationError",
		Message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)}
}

func cwInvalid(msg string) *wire.APIError {
	return &wire.APIError{Type: "ValidationException", Code: "ValidationError", Message: msg}
}

func missingParam(name string) *wire.APIError {
	return &wire.APIError{Type: "MissingRequiredParameterException", Code: "MissingParameter",
		Message: fmt.Sprintf("The parameter %s is required.", name)}
}

func checkLen(member, v string, lo, hi int) *wire.APIError {
	n := utf8.RuneCountInString(v)
	switch {
	case n < lo:
		return cwValidation(member, v, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	case n > hi:
		return cwValidation(member, v, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
	return nil
}

func checkEnum(member, v string, allowed []string) *wire.APIError {
	if hasString(allowed, v) {
		return nil
	}
	return cwValidation(member, v, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

func rangeConstraint(v, lo, hi int64) string {
	if v < lo {
		return fmt.Sprintf("Member must have value greater than or equal to %d", lo)
	}
	return fmt.Sprintf("Member must have value less than or equal to %d", hi)
}

type putMetricAlarmInput struct {
	AlarmName                        *string
	AlarmDescription                 *string
	ActionsEnabled                   *bool
	OKActions                        []string
	AlarmActions                     []string
	InsufficientDataActions          []string
	MetricName                       *string
	Namespace                        *string
	Statistic                        *string
	ExtendedStatistic                *string
	Dimensions                       []cwDimension
	Period                           *int64
	Unit                             *string
	EvaluationPeriods                *int64
	DatapointsToAlarm                *int64
	Threshold                        *float64
	ComparisonOperator               *string
	TreatMissingData                 *string
	EvaluateLowSampleCountPercentile *string
	Metrics                          []any
	ThresholdMetricId                *string
	Tags                             []cwTag
}

// alarm validates the request as CloudWatch does and builds the alarm it describes.
func (in *putMetricAlarmInput) alarm() (*cwAlarm, []cwTag, error) {
	if in.AlarmName == nil {
		return nil, nil, missingParam("AlarmName")
	}
	if err := checkAlarmName(*in.AlarmName); err != nil {
		return nil, nil, err
	}
	if in.EvaluationPeriods == nil {
		return nil, nil, missingParam("EvaluationPeriods")
	}
	if in.ComparisonOperator == nil {
		return nil, nil, missingParam("ComparisonOperator")
	}
	if err := checkEnum("comparisonOperator", *in.ComparisonOperator, comparisonOperators); err != nil {
		return nil, nil, err
	}
	if len(in.Metrics) > 0 || in.ThresholdMetricId != nil {
		return nil, nil, &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue",
			Message: "The emulator does not evaluate metric math alarms (Metrics, ThresholdMetricId); use MetricName and Namespace."}
	}
	if in.ThresholdMetricId == nil && in.Threshold == nil {
		return nil, nil, &wire.APIError{Type: "ValidationException", Code: "ValidationError", Message: "Threshold is required for non-anomaly-detection alarms."}
	}
	if strings.Contains(*in.ComparisonOperator, "Lower") || strings.Contains(*in.ComparisonOperator, "Upper") {
		return nil, nil, cwInvalid("Anomaly detection comparison operators require a ThresholdMetricId, which the emulator does not evaluate.")
	}
	a := &cwAlarm{Name: *in.AlarmName, Description: in.AlarmDescription, ActionsEnabled: true,
		ComparisonOperator: *in.ComparisonOperator, Threshold: *in.Threshold}
	if in.AlarmDescription != nil {
		if err := checkLen("alarmDescription", *in.AlarmDescription, 0, 1024); err != nil {
			return nil, nil, err
		}
	}
	if in.ActionsEnabled != nil {
		a.ActionsEnabled = *in.ActionsEnabled
	}
	for _, l := range []struct {
		member string
		in     []string
		out    *[]string
	}{{"oKActions", in.OKActions, &a.OKActions}, {"alarmActions", in.AlarmActions, &a.AlarmActions},
		{"insufficientDataActions", in.InsufficientDataActions, &a.InsufficientDataActions}} {
		if len(l.in) > 5 {
			return nil, nil, cwValidation(l.member, "["+strings.Join(l.in, ", ")+"]", "Member must have length less than or equal to 5")
		}
		for _, act := range l.in {
			if err := checkLen(l.member+".member", act, 1, 1024); err != nil {
				return nil, nil, err
			}
			if p := strings.SplitN(act, ":", 6); len(p) < 6 || p[0] != "arn" || p[2] == "" {
				return nil, nil, cwInvalid("Invalid arn syntax: " + act)
			}
		}
		*l.out = append([]string(nil), l.in...)
	}
	if err := in.metric(a); err != nil {
		return nil, nil, err
	}
	if err := in.evaluation(a); err != nil {
		return nil, nil, err
	}
	if len(in.Tags) > 50 {
		return nil, nil, cwValidation("tags", fmt.Sprint(len(in.Tags)), "Member must have length less than or equal to 50")
	}
	for _, t := range in.Tags {
		if err := checkTag(t); err != nil {
			return nil, nil, err
		}
	}
	return a, in.Tags, nil
}

// checkAlarmName applies AlarmName's rules: 1–255 characters of valid UTF-8 with no ASCII
// control characters.
func checkAlarmName(name string) *wire.APIError {
	if err := checkLen("alarmName", name, 1, 255); err != nil {
		return err
	}
	if !utf8.ValidString(name) {
		return cwInvalid("AlarmName must contain only valid UTF-8 characters.")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return cwInvalid(fmt.Sprintf("AlarmName %q must not contain ASCII control characters.", name))
		}
	}
	return nil
}

// metric checks the metric the alarm watches and how it aggregates it.
func (in *putMetricAlarmInput) metric(a *cwAlarm) *wire.APIError {
	if in.MetricName == nil {
		return missingParam("MetricName")
	}
	if in.Namespace == nil {
		return missingParam("Namespace")
	}
	if err := checkLen("metricName", *in.MetricName, 1, 255); err != nil {
		return err
	}
	if err := checkLen("namespace", *in.Namespace, 1, 255); err != nil {
		return err
	}
	if strings.HasPrefix(*in.Namespace, ":") {
		return cwValidation("namespace", *in.Namespace, "Member must satisfy regular expression pattern: [^:].*")
	}
	a.MetricName, a.Namespace = *in.MetricName, *in.Namespace
	dims, err := checkDimensions(in.Dimensions)
	if err != nil {
		return err
	}
	a.Dimensions = dims
	switch {
	case in.Statistic != nil && in.ExtendedStatistic != nil, in.Statistic == nil && in.ExtendedStatistic == nil:
		return &wire.APIError{Type: "InvalidParameterCombinationException", Code: "InvalidParameterCombination",
			Message: "Exactly one element of the Statistic and ExtendedStatistic parameters must be specified."}
	case in.Statistic != nil:
		if err := checkEnum("statistic", *in.Statistic, alarmStatistics); err != nil {
			return err
		}
		a.Statistic = *in.Statistic
		if in.EvaluateLowSampleCountPercentile != nil {
			return &wire.APIError{Type: "InvalidParameterCombinationException", Code: "InvalidParameterCombination",
				Message: "EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic."}
		}
	default:
		if !extendedStatistic.MatchString(*in.ExtendedStatistic) || !percentileInRange(*in.ExtendedStatistic) {
			return &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue",
				Message: fmt.Sprintf("The value %s for parameter ExtendedStatistic is not supported.", *in.ExtendedStatistic)}
		}
		a.ExtendedStatistic = *in.ExtendedStatistic
		if v := in.EvaluateLowSampleCountPercentile; v != nil {
			if *v != "evaluate" && *v != "ignore" {
				return cwInvalid(fmt.Sprintf("EvaluateLowSampleCountPercentile must be evaluate or ignore, got %q.", *v))
			}
			a.EvaluateLowSampleCountPercentile = *v
		}
	}
	if in.Unit != nil {
		if err := checkEnum("unit", *in.Unit, standardUnits); err != nil {
			return err
		}
		a.Unit = *in.Unit
	}
	return nil
}

func percentileInRange(stat string) bool {
	if stat == "IQM" {
		return true
	}
	f, err := strconv.ParseFloat(strings.TrimLeft(stat, "ptmwcs"), 64)
	return err == nil && f >= 0 && f <= 100
}

// checkDimensions: at most 30, names 1–255, values 1–1024, no name twice.
func checkDimensions(dims []cwDimension) ([]cwDimension, *wire.APIError) {
	if len(dims) > 30 {
		return nil, cwValidation("dimensions", fmt.Sprint(len(dims)), "Member must have length less than or equal to 30")
	}
	seen := map[string]bool{}
	for _, d := range dims {
		if err := checkLen("dimensions.member.name", d.Name, 1, 255); err != nil {
			return nil, err
		}
		if err := checkLen("dimensions.member.value", d.Value, 1, 1024); err != nil {
			return nil, err
		}
		if seen[d.Name] {
			return nil, &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue",
				Message: fmt.Sprintf("No Metric may specify the same dimension name twice: %s", d.Name)}
		}
		seen[d.Name] = true
	}
	return append([]cwDimension(nil), dims...), nil
}

// evaluation checks Period, EvaluationPeriods, DatapointsToAlarm and TreatMissingData.
func (in *putMetricAlarmInput) evaluation(a *cwAlarm) *wire.APIError {
	if in.Period == nil {
		return missingParam("Period")
	}
	p, n := *in.Period, *in.EvaluationPeriods
	if p < 1 || p > math.MaxInt32 {
		return cwValidation("period", fmt.Sprint(p), rangeConstraint(p, 1, math.MaxInt32))
	}
	if p != 10 && p != 20 && p != 30 && p%60 != 0 {
		return cwInvalid("Period must be 10, 20, 30 or a multiple of 60")
	}
	if n < 1 || n > math.MaxInt32 {
		return cwValidation("evaluationPeriods", fmt.Sprint(n), rangeConstraint(n, 1, math.MaxInt32))
	}
	switch {
	case p < 3600 && p*n > 86400:
		return cwInvalid("Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)")
	case p*n > 604800:
		return cwInvalid("Metrics cannot be checked across more than 7 days (EvaluationPeriods * Period must be <= 604800)")
	}
	a.Period, a.EvaluationPeriods = int32(p), int32(n)
	if m := in.DatapointsToAlarm; m != nil {
		if *m < 1 || *m > math.MaxInt32 {
			return cwValidation("datapointsToAlarm", fmt.Sprint(*m), rangeConstraint(*m, 1, math.MaxInt32))
		}
		if *m > n {
			return cwInvalid("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
		}
		a.DatapointsToAlarm = int32(*m)
	}
	if t := in.TreatMissingData; t != nil {
		if err := checkLen("treatMissingData", *t, 1, 255); err != nil {
			return err
		}
		if !hasString(treatMissingValues, *t) {
			return cwInvalid(fmt.Sprintf("Invalid value %q for TreatMissingData; valid values are %s", *t, strings.Join(treatMissingValues, ", ")))
		}
		a.TreatMissingData = *t
	}
	return nil
}

// checkTag applies CloudWatch's tag rules: key 1–128, value 0–256, no "aws:" keys.
func checkTag(t cwTag) *wire.APIError {
	if err := checkLen("tags.member.key", t.Key, 1, 128); err != nil {
		return err
	}
	if err := checkLen("tags.member.value", t.Value, 0, 256); err != nil {
		return err
	}
	if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
		return &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue",
			Message: fmt.Sprintf("Invalid tag key %q: the aws: prefix is reserved for AWS use.", t.Key)}
	}
	return nil
}
