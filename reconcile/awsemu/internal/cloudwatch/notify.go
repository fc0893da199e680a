package cloudwatch

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The notification an alarm publishes to its SNS topics, in the shape real alarms' notifications
// have (AWS publishes no schema for it): Subject `ALARM: "<name>" in <Region long name>`, and a JSON Message whose
// Trigger spells the statistic in upper case, dimensions with lower-case keys, doubles the way
// Java prints them (1.0) and timestamps with a +0000 offset.

// jfloat marshals as Java's Double.toString does (1.0, 23.19, 1.0E7), as CloudWatch writes it.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) { return []byte(javaDouble(float64(f))), nil }

// javaDouble formats f as Java's Double.toString.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

type notifyDimension struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

type notifyTrigger struct {
	MetricName                       string            `json:"MetricName"`
	Namespace                        string            `json:"Namespace"`
	StatisticType                    string            `json:"StatisticType"`
	Statistic                        string            `json:"Statistic,omitempty"`
	ExtendedStatistic                string            `json:"ExtendedStatistic,omitempty"`
	Unit                             *string           `json:"Unit"`
	Dimensions                       []notifyDimension `json:"Dimensions"`
	Period                           int32             `json:"Period"`
	EvaluationPeriods                int32             `json:"EvaluationPeriods"`
	DatapointsToAlarm                int               `json:"DatapointsToAlarm"`
	ComparisonOperator               string            `json:"ComparisonOperator"`
	Threshold                        jfloat            `json:"Threshold"`
	TreatMissingData                 string            `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string            `json:"EvaluateLowSampleCountPercentile"`
}

type notifyMessage struct {
	AlarmName                          string        `json:"AlarmName"`
	AlarmDescription                   *string       `json:"AlarmDescription"`
	AWSAccountID                       string        `json:"AWSAccountId"`
	AlarmConfigurationUpdatedTimestamp string        `json:"AlarmConfigurationUpdatedTimestamp"`
	NewStateValue                      string        `json:"NewStateValue"`
	NewStateReason                     string        `json:"NewStateReason"`
	StateChangeTime                    string        `json:"StateChangeTime"`
	Region                             string        `json:"Region"`
	AlarmArn                           string        `json:"AlarmArn"`
	OldStateValue                      string        `json:"OldStateValue"`
	OKActions                          []string      `json:"OKActions"`
	AlarmActions                       []string      `json:"AlarmActions"`
	InsufficientDataActions            []string      `json:"InsufficientDataActions"`
	Trigger                            notifyTrigger `json:"Trigger"`
}

// statisticNames maps a statistic to the upper-case form notifications use.
var statisticNames = map[string]string{
	"SampleCount": "SAMPLE_COUNT", "Average": "AVERAGE", "Sum": "SUM", "Minimum": "MINIMUM", "Maximum": "MAXIMUM",
}

// notification builds the Subject and Message an alarm publishes on entering its current state.
func (cw *cwService) notification(region string, a *cwAlarm, old string, now time.Time) (subject, message string) {
	long := regionLongName(region)
	t := notifyTrigger{
		MetricName: a.MetricName, Namespace: a.Namespace, StatisticType: "Statistic",
		Statistic: statisticNames[a.Statistic], Dimensions: make([]notifyDimension, 0, len(a.Dimensions)),
		Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.m(),
		ComparisonOperator: a.ComparisonOperator, Threshold: jfloat(a.Threshold),
		TreatMissingData: a.treatMissing(), EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
	}
	if a.ExtendedStatistic != "" {
		t.StatisticType, t.Statistic, t.ExtendedStatistic = "ExtendedStatistic", "", a.ExtendedStatistic
	}
	if a.Unit != "" {
		u := a.Unit
		t.Unit = &u
	}
	for _, d := range a.Dimensions {
		t.Dimensions = append(t.Dimensions, notifyDimension{Value: d.Value, Name: d.Name})
	}
	msg := notifyMessage{
		AlarmName: a.Name, AlarmDescription: a.Description, AWSAccountID: cw.w.Account,
		AlarmConfigurationUpdatedTimestamp: awsTime(a.ConfigUpdated),
		NewStateValue:                      a.State, NewStateReason: a.StateReason, StateChangeTime: awsTime(now),
		Region: long, AlarmArn: a.ARN, OldStateValue: old,
		OKActions: nonNil(a.OKActions), AlarmActions: nonNil(a.AlarmActions),
		InsufficientDataActions: nonNil(a.InsufficientDataActions), Trigger: t,
	}
	return truncateRunes(a.State+`: "`+a.Name+`" in `+long, 100), compactJSON(msg)
}

// truncateRunes keeps the first n characters: SNS subjects are limited to 100, and CloudWatch
// cuts the subject of an alarm with a long name rather than fail to notify.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
