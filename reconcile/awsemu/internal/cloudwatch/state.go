package cloudwatch

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// cwHistoryItem is the AlarmHistoryItem shape; seq orders items for pagination.
type cwHistoryItem struct {
	AlarmName       string
	AlarmType       string
	HistoryData     string
	HistoryItemType string
	HistorySummary  string
	Timestamp       time.Time
	seq             int
}

// addHistory appends one item; data is marshalled into HistoryData.
func (r *cwRegion) addHistory(now time.Time, alarm, kind, summary string, data any) {
	r.history = append(r.history, cwHistoryItem{
		AlarmName: alarm, AlarmType: "MetricAlarm", HistoryData: compactJSON(data),
		HistoryItemType: kind, HistorySummary: summary, Timestamp: now, seq: len(r.history) + 1,
	})
}

// compactJSON marshals v without HTML escaping, as AWS's JSON documents are written.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// historyAlarm is an alarm's configuration as ConfigurationUpdate history data shows it.
func historyAlarm(a *cwAlarm) map[string]any {
	m := map[string]any{
		"alarmName": a.Name, "alarmArn": a.ARN, "actionsEnabled": a.ActionsEnabled,
		"okactions": nonNil(a.OKActions), "alarmActions": nonNil(a.AlarmActions),
		"insufficientDataActions": nonNil(a.InsufficientDataActions),
		"stateValue":              a.State, "stateReason": a.StateReason,
		"metricName": a.MetricName, "namespace": a.Namespace, "dimensions": historyDims(a.Dimensions),
		"period": a.Period, "evaluationPeriods": a.EvaluationPeriods, "threshold": a.Threshold,
		"comparisonOperator": a.ComparisonOperator, "treatMissingData": a.TreatMissingData,
		"timestamp": awsTime(a.StateUpdated), "alarmConfigurationUpdatedTimestamp": awsTime(a.ConfigUpdated),
	}
	if a.Description != nil {
		m["alarmDescription"] = *a.Description
	}
	if a.Statistic != "" {
		m["statistic"] = strings.ToUpper(a.Statistic)
	} else {
		m["extendedStatistic"] = a.ExtendedStatistic
	}
	if a.DatapointsToAlarm != 0 {
		m["datapointsToAlarm"] = a.DatapointsToAlarm
	}
	if a.Unit != "" {
		m["unit"] = a.Unit
	}
	return m
}

func historyDims(dims []cwDimension) []map[string]string {
	out := make([]map[string]string, 0, len(dims))
	for _, d := range dims {
		out = append(out, map[string]string{"name": d.Name, "value": d.Value})
	}
	return out
}

// changeState moves an alarm to a new state at now. It does nothing if the state is unchanged
// (actions fire only on changes, and SNS actions are not repeated while a state persists);
// otherwise it records a StateUpdate history item and, with actions enabled, runs the new
// state's actions: SNS topics receive the notification through w.Bus.Publish.
func (cw *cwService) changeState(r *cwRegion, a *cwAlarm, state, reason, reasonData string, now time.Time) bool {
	if a.State == state {
		return false
	}
	old := a.State
	oldState := map[string]any{"stateValue": a.State, "stateReason": a.StateReason}
	if a.StateReasonData != "" {
		oldState["stateReasonData"] = json.RawMessage(a.StateReasonData)
	}
	a.State, a.StateReason, a.StateReasonData = state, reason, reasonData
	a.StateUpdated, a.StateTransitioned = now, now
	newState := map[string]any{"stateValue": state, "stateReason": reason}
	if reasonData != "" {
		newState["stateReasonData"] = json.RawMessage(reasonData)
	}
	r.addHistory(now, a.Name, "StateUpdate", fmt.Sprintf("Alarm updated from %s to %s", old, state),
		map[string]any{"version": "1.0", "oldState": oldState, "newState": newState})
	if !a.ActionsEnabled {
		return true
	}
	for _, act := range a.actionsFor(state) {
		summary := "Successfully executed action " + act
		var err error
		switch {
		case !strings.HasPrefix(act, "arn:aws:sns:"):
			err = fmt.Errorf("the emulator runs only SNS actions")
		case cw.w.Bus.Publish == nil:
			err = fmt.Errorf("no SNS service is registered")
		default:
			subject, message := cw.notification(r.name, a, old, now)
			err = cw.w.Bus.Publish(act, subject, message)
		}
		if err != nil {
			summary = fmt.Sprintf("Failed to execute action %s. Received error: %q", act, err.Error())
		}
		r.addHistory(now, a.Name, "Action", summary, map[string]any{"actionState": actionState(err), "stateUpdateTimestamp": now.UnixMilli(),
			"notificationResource": act, "publishedMessage": nil, "error": errString(err)})
	}
	return true
}

func actionState(err error) string {
	if err != nil {
		return "Failed"
	}
	return "Succeeded"
}

func errString(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

type setAlarmStateInput struct {
	AlarmName       *string
	StateValue      *string
	StateReason     *string
	StateReasonData *string
}

// setAlarmState sets the state until the next evaluation; a real change runs the new state's
// actions, as it does in AWS
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
func (cw *cwService) setAlarmState(c *core.Call) (any, error) {
	var in setAlarmStateInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	for _, req := range []struct {
		name string
		v    *string
	}{{"AlarmName", in.AlarmName}, {"StateValue", in.StateValue}, {"StateReason", in.StateReason}} {
		if req.v == nil {
			return nil, missingParam(req.name)
		}
	}
	if err := checkLen("alarmName", *in.AlarmName, 1, 255); err != nil {
		return nil, err
	}
	if err := checkEnum("stateValue", *in.StateValue, alarmStates); err != nil {
		return nil, err
	}
	if err := checkLen("stateReason", *in.StateReason, 0, 1023); err != nil {
		return nil, err
	}
	data := ""
	if in.StateReasonData != nil {
		if err := checkLen("stateReasonData", *in.StateReasonData, 0, 4000); err != nil {
			return nil, err
		}
		if !json.Valid([]byte(*in.StateReasonData)) {
			return nil, &wire.APIError{Type: "InvalidFormatFault", Code: "InvalidFormat",
				Message: "StateReasonData is not valid JSON: " + *in.StateReasonData}
		}
		data = *in.StateReasonData
	}
	r := cw.region(c.Region)
	a := r.alarms[*in.AlarmName]
	if a == nil {
		return nil, &wire.APIError{Type: "ResourceNotFound", Status: 404, Message: fmt.Sprintf("Alarm %s not found", *in.AlarmName)}
	}
	if !cw.changeState(r, a, *in.StateValue, *in.StateReason, data, c.Now) {
		a.StateReason, a.StateReasonData, a.StateUpdated = *in.StateReason, data, c.Now
	}
	return struct{}{}, nil
}

type describeAlarmHistoryInput struct {
	AlarmName       *string
	AlarmTypes      []string
	HistoryItemType *string
	StartDate       *time.Time
	EndDate         *time.Time
	MaxRecords      *int64
	NextToken       *string
	ScanBy          *string
}

// describeAlarmHistory pages through history items, newest first by default, 100 per page.
func (cw *cwService) describeAlarmHistory(c *core.Call) (any, error) {
	var in describeAlarmHistoryInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.HistoryItemType != nil {
		if err := checkEnum("historyItemType", *in.HistoryItemType, []string{"ConfigurationUpdate", "StateUpdate", "Action",
			"AlarmContributorStateUpdate", "AlarmContributorAction"}); err != nil {
			return nil, err
		}
	}
	ascending := false
	if in.ScanBy != nil {
		if err := checkEnum("scanBy", *in.ScanBy, []string{"TimestampDescending", "TimestampAscending"}); err != nil {
			return nil, err
		}
		ascending = *in.ScanBy == "TimestampAscending"
	}
	wantMetric := len(in.AlarmTypes) == 0 || hasString(in.AlarmTypes, "MetricAlarm")
	limit := 100
	if in.MaxRecords != nil {
		if *in.MaxRecords < 1 || *in.MaxRecords > 100 {
			return nil, cwValidation("maxRecords", fmt.Sprint(*in.MaxRecords), rangeConstraint(*in.MaxRecords, 1, 100))
		}
		limit = int(*in.MaxRecords)
	}
	from := 0
	if in.NextToken != nil {
		s, ok := decodeCWToken(*in.NextToken)
		n, err := strconv.Atoi(s)
		if !ok || err != nil || n < 1 {
			return nil, &wire.APIError{Type: "InvalidNextToken", Message: "The service returned an invalid NextToken."}
		}
		from = n
	}
	out := struct {
		AlarmHistoryItems []cwHistoryItem
		NextToken         string `json:",omitempty"`
	}{AlarmHistoryItems: []cwHistoryItem{}}
	if !wantMetric {
		return out, nil
	}
	h := cw.region(c.Region).history
	for k := range h {
		it := h[len(h)-1-k]
		if ascending {
			it = h[k]
		}
		if from != 0 && ((ascending && it.seq <= from) || (!ascending && it.seq >= from)) {
			continue
		}
		if (in.AlarmName != nil && it.AlarmName != *in.AlarmName) ||
			(in.HistoryItemType != nil && it.HistoryItemType != *in.HistoryItemType) ||
			(in.StartDate != nil && it.Timestamp.Before(*in.StartDate)) ||
			(in.EndDate != nil && it.Timestamp.After(*in.EndDate)) {
			continue
		}
		if len(out.AlarmHistoryItems) == limit {
			out.NextToken = encodeCWToken(strconv.Itoa(out.AlarmHistoryItems[limit-1].seq))
			break
		}
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, it)
	}
	return out, nil
}
