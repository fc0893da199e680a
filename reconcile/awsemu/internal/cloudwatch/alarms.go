package cloudwatch

import (
	"fmt"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// cwDimension is CloudWatch's Dimension shape.
type cwDimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// cwTag is CloudWatch's Tag shape.
type cwTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// cwAlarm is one metric alarm: its configuration (replaced whole by PutMetricAlarm) and its state
// (kept across updates, as AWS keeps it).
type cwAlarm struct {
	Name, ARN                        string
	Description                      *string
	ActionsEnabled                   bool
	OKActions, AlarmActions          []string
	InsufficientDataActions          []string
	MetricName, Namespace            string
	Dimensions                       []cwDimension
	Statistic, ExtendedStatistic     string
	Period, EvaluationPeriods        int32
	DatapointsToAlarm                int32 // 0: not set (M = N)
	Threshold                        float64
	ComparisonOperator               string
	TreatMissingData                 string // "": not set (missing)
	EvaluateLowSampleCountPercentile string
	Unit                             string
	ConfigUpdated                    time.Time
	// series is the metric's key in the region's store (seriesKey).
	series string

	State, StateReason, StateReasonData string
	StateUpdated, StateTransitioned     time.Time
}

// m is DatapointsToAlarm with its default applied.
func (a *cwAlarm) m() int {
	if a.DatapointsToAlarm == 0 {
		return int(a.EvaluationPeriods)
	}
	return int(a.DatapointsToAlarm)
}

// treatMissing is TreatMissingData with its default applied.
func (a *cwAlarm) treatMissing() string {
	if a.TreatMissingData == "" {
		return "missing"
	}
	return a.TreatMissingData
}

// actionsFor is the action list that fires on entering state.
func (a *cwAlarm) actionsFor(state string) []string {
	switch state {
	case "ALARM":
		return a.AlarmActions
	case "OK":
		return a.OKActions
	}
	return a.InsufficientDataActions
}

// metricAlarmOut is the MetricAlarm shape. Optional members the alarm was created without
// (DatapointsToAlarm, TreatMissingData, Unit, AlarmDescription…) are left out, as AWS leaves them.
type metricAlarmOut struct {
	AlarmName                          string
	AlarmArn                           string
	AlarmDescription                   *string
	AlarmConfigurationUpdatedTimestamp time.Time
	ActionsEnabled                     bool
	OKActions                          []string
	AlarmActions                       []string
	InsufficientDataActions            []string
	StateValue                         string
	StateReason                        string
	StateReasonData                    string `json:",omitempty"`
	StateUpdatedTimestamp              time.Time
	StateTransitionedTimestamp         time.Time
	MetricName                         string `json:",omitempty"`
	Namespace                          string `json:",omitempty"`
	Statistic                          string `json:",omitempty"`
	ExtendedStatistic                  string `json:",omitempty"`
	Dimensions                         []cwDimension
	Period                             int32
	Unit                               string `json:",omitempty"`
	EvaluationPeriods                  int32
	DatapointsToAlarm                  int32 `json:",omitempty"`
	Threshold                          float64
	ComparisonOperator                 string
	TreatMissingData                   string `json:",omitempty"`
	EvaluateLowSampleCountPercentile   string `json:",omitempty"`
}

func (a *cwAlarm) out() metricAlarmOut {
	return metricAlarmOut{
		AlarmName: a.Name, AlarmArn: a.ARN, AlarmDescription: a.Description,
		AlarmConfigurationUpdatedTimestamp: a.ConfigUpdated, ActionsEnabled: a.ActionsEnabled,
		OKActions: nonNil(a.OKActions), AlarmActions: nonNil(a.AlarmActions),
		InsufficientDataActions: nonNil(a.InsufficientDataActions),
		StateValue:              a.State, StateReason: a.StateReason, StateReasonData: a.StateReasonData,
		StateUpdatedTimestamp: a.StateUpdated, StateTransitionedTimestamp: a.StateTransitioned,
		MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic,
		ExtendedStatistic: a.ExtendedStatistic, Dimensions: nonNilDims(a.Dimensions), Period: a.Period,
		Unit: a.Unit, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
		EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilDims(s []cwDimension) []cwDimension {
	if s == nil {
		return []cwDimension{}
	}
	return s
}

// putMetricAlarm creates an alarm or replaces its whole configuration. A new alarm starts in
// INSUFFICIENT_DATA; an update keeps the state and ignores Tags (api_op_PutMetricAlarm.go:
// "If you are using this operation to update an existing alarm, any tags you specify in this
// parameter are ignored").
func (cw *cwService) putMetricAlarm(c *core.Call) (any, error) {
	var in putMetricAlarmInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	a, tags, err := in.alarm()
	if err != nil {
		return nil, err
	}
	r := cw.region(c.Region)
	a.ARN = cw.alarmARN(c.Region, a.Name)
	a.series = seriesKey(a.Namespace, a.MetricName, sortedDims(a.Dimensions))
	a.ConfigUpdated = c.Now
	old := r.alarms[a.Name]
	if old == nil {
		a.State, a.StateReason = "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"
		a.StateUpdated, a.StateTransitioned = c.Now, c.Now
		r.alarms[a.Name] = a
		r.addName(a.Name)
		// An alarm with no tags still gets an entry, so the tagging API lists it.
		cw.w.Tags.Set(a.ARN, tagMap(tags))
		r.addHistory(c.Now, a.Name, "ConfigurationUpdate", fmt.Sprintf("Alarm %q created", a.Name),
			map[string]any{"type": "Create", "version": "1.0", "createdAlarm": historyAlarm(a)})
		return struct{}{}, nil
	}
	a.State, a.StateReason, a.StateReasonData = old.State, old.StateReason, old.StateReasonData
	a.StateUpdated, a.StateTransitioned = old.StateUpdated, old.StateTransitioned
	r.alarms[a.Name] = a
	r.addHistory(c.Now, a.Name, "ConfigurationUpdate", fmt.Sprintf("Alarm %q updated", a.Name),
		map[string]any{"type": "Update", "version": "1.0", "originalAlarm": historyAlarm(old), "updatedAlarm": historyAlarm(a)})
	return struct{}{}, nil
}

func tagMap(tags []cwTag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

type alarmNamesInput struct {
	AlarmNames []string
}

func (in alarmNamesInput) check() error {
	if in.AlarmNames == nil {
		return missingParam("AlarmNames")
	}
	if len(in.AlarmNames) > 100 {
		return cwValidation("alarmNames", fmt.Sprint(in.AlarmNames), "Member must have length less than or equal to 100")
	}
	for _, n := range in.AlarmNames {
		if err := checkLen("alarmNames.member", n, 1, 255); err != nil {
			return err
		}
	}
	return nil
}

// deleteAlarms deletes up to 100 alarms and drops their tags. Names that do not exist answer
// ResourceNotFound (404), as the model lists and as AWS answers today; following the current
// documentation ("If you specify any incorrect alarm names, the alarms you specify with correct
// names are still deleted"), the alarms that do exist are deleted all the same. Callers should
// treat ResourceNotFound as "already gone". See
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html.
func (cw *cwService) deleteAlarms(c *core.Call) (any, error) {
	var in alarmNamesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	r := cw.region(c.Region)
	var missing []string
	for _, n := range in.AlarmNames {
		a := r.alarms[n]
		if a == nil {
			if !hasString(missing, n) {
				missing = append(missing, n)
			}
			continue
		}
		delete(r.alarms, n)
		r.removeName(n)
		cw.w.Tags.Drop(a.ARN)
	}
	if len(missing) > 0 {
		return nil, &wire.APIError{Type: "ResourceNotFound", Status: 404,
			Message: fmt.Sprintf("%s do not exist.", strings.Join(missing, ", "))}
	}
	return struct{}{}, nil
}

func (cw *cwService) enableAlarmActions(c *core.Call) (any, error) {
	return cw.setActionsEnabled(c, true)
}
func (cw *cwService) disableAlarmActions(c *core.Call) (any, error) {
	return cw.setActionsEnabled(c, false)
}

// setActionsEnabled switches actions on or off; unknown names are skipped, as AWS skips them.
func (cw *cwService) setActionsEnabled(c *core.Call, on bool) (any, error) {
	var in alarmNamesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	r := cw.region(c.Region)
	for _, n := range in.AlarmNames {
		if a := r.alarms[n]; a != nil {
			a.ActionsEnabled = on
		}
	}
	return struct{}{}, nil
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
