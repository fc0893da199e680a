package cloudwatch

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

type describeAlarmsInput struct {
	AlarmNames          []string
	AlarmNamePrefix     *string
	ActionPrefix        *string
	StateValue          *string
	AlarmTypes          []string
	ChildrenOfAlarmName *string
	ParentsOfAlarmName  *string
	MaxRecords          *int64
	NextToken           *string
}

type describeAlarmsOutput struct {
	MetricAlarms    []metricAlarmOut
	CompositeAlarms []struct{} `json:",omitempty"`
	NextToken       string     `json:",omitempty"`
}

// describeAlarms lists metric alarms sorted by name, 50 per page by default (MaxRecords 1–100).
func (cw *cwService) describeAlarms(c *core.Call) (any, error) {
	var in describeAlarmsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	wantMetric := len(in.AlarmTypes) == 0 || hasString(in.AlarmTypes, "MetricAlarm")
	limit := 50
	if in.MaxRecords != nil {
		limit = int(*in.MaxRecords)
	}
	after := ""
	if in.NextToken != nil {
		var ok bool
		if after, ok = decodeCWToken(*in.NextToken); !ok {
			return nil, &wire.APIError{Type: "InvalidNextToken", Message: "The service returned an invalid NextToken."}
		}
	}
	out := describeAlarmsOutput{MetricAlarms: []metricAlarmOut{}}
	if len(in.AlarmTypes) > 0 && hasString(in.AlarmTypes, "CompositeAlarm") {
		out.CompositeAlarms = []struct{}{}
	}
	// Composite alarms are not emulated, so an alarm has neither children nor parents.
	if !wantMetric || in.ChildrenOfAlarmName != nil || in.ParentsOfAlarmName != nil {
		return out, nil
	}
	r := cw.region(c.Region)
	for _, name := range r.candidates(in.AlarmNames, in.AlarmNamePrefix, after) {
		a := r.alarms[name]
		if a == nil || (in.StateValue != nil && a.State != *in.StateValue) ||
			(in.ActionPrefix != nil && !a.hasActionPrefix(*in.ActionPrefix)) {
			continue
		}
		if len(out.MetricAlarms) == limit {
			out.NextToken = encodeCWToken(out.MetricAlarms[limit-1].AlarmName)
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, a.out())
	}
	return out, nil
}

// validate applies DescribeAlarms' constraints, as CloudWatch words them. An empty AlarmNames
// list (the query protocol's "AlarmNames=") filters nothing, as if it were absent: validate
// makes it nil.
func (in *describeAlarmsInput) validate() error {
	if len(in.AlarmNames) > 100 {
		return cwValidation("alarmNames", fmt.Sprint(in.AlarmNames), "Member must have length less than or equal to 100")
	}
	for _, n := range in.AlarmNames {
		if err := checkLen("alarmNames.member", n, 1, 255); err != nil {
			return err
		}
	}
	if len(in.AlarmNames) == 0 {
		in.AlarmNames = nil
	}
	if in.AlarmNamePrefix != nil {
		if err := checkLen("alarmNamePrefix", *in.AlarmNamePrefix, 1, 255); err != nil {
			return err
		}
		if in.AlarmNames != nil {
			return &wire.APIError{Type: "InvalidParameterCombinationException", Code: "InvalidParameterCombination",
				Message: "AlarmNamePrefix and AlarmNames cannot be specified together."}
		}
	}
	if in.ActionPrefix != nil {
		if err := checkLen("actionPrefix", *in.ActionPrefix, 1, 1024); err != nil {
			return err
		}
	}
	if in.StateValue != nil {
		if err := checkEnum("stateValue", *in.StateValue, alarmStates); err != nil {
			return err
		}
	}
	for _, t := range in.AlarmTypes {
		if err := checkEnum("alarmTypes.member", t, []string{"CompositeAlarm", "MetricAlarm", "LogAlarm"}); err != nil {
			return err
		}
	}
	if in.MaxRecords != nil && (*in.MaxRecords < 1 || *in.MaxRecords > 100) {
		return cwValidation("maxRecords", fmt.Sprint(*in.MaxRecords), rangeConstraint(*in.MaxRecords, 1, 100))
	}
	return nil
}

// candidates lists, in name order and after the page token's name, the alarm names a
// DescribeAlarms call may return.
func (r *cwRegion) candidates(names []string, prefix *string, after string) []string {
	if names != nil {
		sorted := append([]string(nil), names...)
		sort.Strings(sorted)
		out := make([]string, 0, len(sorted))
		for i, n := range sorted {
			if (i == 0 || n != sorted[i-1]) && n > after {
				out = append(out, n)
			}
		}
		return out
	}
	start := 0
	if prefix != nil {
		start = sort.SearchStrings(r.names, *prefix)
	}
	if after != "" {
		if i := sort.SearchStrings(r.names, after); i < len(r.names) && r.names[i] == after {
			start = max(start, i+1)
		} else {
			start = max(start, i)
		}
	}
	end := len(r.names)
	if prefix != nil {
		// Names with the prefix are contiguous from the first name >= prefix.
		end = start + sort.Search(len(r.names)-start, func(i int) bool {
			return !strings.HasPrefix(r.names[start+i], *prefix)
		})
	}
	return r.names[start:end]
}

func (a *cwAlarm) hasActionPrefix(prefix string) bool {
	for _, list := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, act := range list {
			if strings.HasPrefix(act, prefix) {
				return true
			}
		}
	}
	return false
}

// CloudWatch page tokens are opaque: the base64 of a versioned marker and the last name served.
const cwTokenMark = "kmswatch-cw-v1\x00"

func encodeCWToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cwTokenMark + last))
}

func decodeCWToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), cwTokenMark) {
		return "", false
	}
	return strings.TrimPrefix(string(b), cwTokenMark), true
}
