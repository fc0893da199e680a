package presets

// CISName is the name of the preset that creates an alarm for each of Security Hub's controls
// CloudWatch.1 to CloudWatch.14.
const CISName = "cis-aws-foundations"

// cisNamespace is the metric namespace of the preset's metrics, the one the CIS remediation
// steps use for every Foundations Benchmark metric.
const cisNamespace = "CISBenchmark"

// cisV1 is version 1 of cis-aws-foundations. Its alarms follow the CIS remediation steps and
// Security Hub's: the metric counts matching events (value 1, default 0 in minutes with events
// but no match, as the Security Hub page's metric filter table says), and the alarm fires on a
// Sum of at least 1 over 5 minutes. A quiet period is not a breach (notBreaching).
var cisV1 = &Preset{
	Name:    CISName,
	Version: "1",
	Description: "An alarm for each of AWS Security Hub's controls CloudWatch.1 to CloudWatch.14 " +
		"(CIS AWS Foundations Benchmark v1.2.0 section 3, v1.4.0 section 4), with the filter patterns Security Hub publishes.",
	Alarms: cisAlarms(),
}

func cisAlarms() []Alarm {
	zero := 0.0
	out := make([]Alarm, len(cisControls))
	for i, c := range cisControls {
		out[i] = Alarm{
			Name:              c.alarm,
			Control:           c.ID,
			Description:       "CIS AWS Foundations Benchmark, Security Hub " + c.ID + ": " + c.what + ".",
			Pattern:           c.Pattern,
			MetricNamespace:   cisNamespace,
			MetricName:        c.metric,
			MetricValue:       "1",
			DefaultValue:      &zero,
			Statistic:         "Sum",
			PeriodSeconds:     300,
			EvaluationPeriods: 1,
			Threshold:         1,
			Comparison:        "GreaterThanOrEqualToThreshold",
			TreatMissingData:  "notBreaching",
		}
	}
	return out
}
