package reconcile_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kmswatch/kmswatch/reconcile"
)

// drift is one entry of the design's list of drifts to repair: what someone does to a converged
// account, and the plan line that must name it.
type drift struct {
	name   string
	id     string           // the resource whose line must name the drift
	action reconcile.Action // create for a deleted resource, else update
	field  string           // the field named for an update
	do     func(t *testing.T, a *account)
}

func drifts() []drift {
	return []drift{
		{"alarm-threshold-raised", idAlarm, reconcile.ActionUpdate, "threshold", func(t *testing.T, a *account) {
			a.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(50) })
		}},
		{"alarm-deleted", idAlarm, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			// moto gap (DeleteAlarms): the deleted alarm's tags survive. The
			// recreated alarm is checked for its tags below all the same.
			must(t, "delete alarm", err2(a.cw.DeleteAlarms(bg, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"scen-kms-errors"}})))
		}},
		{"alarm-actions-removed", idAlarm, reconcile.ActionUpdate, "alarmActions", func(t *testing.T, a *account) {
			a.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmActions = nil })
		}},
		{"alarm-actions-disabled", idAlarm, reconcile.ActionUpdate, "actionsEnabled", func(t *testing.T, a *account) {
			a.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.ActionsEnabled = aws.Bool(false) })
		}},
		{"filter-pattern-changed", idFilter, reconcile.ActionUpdate, "filterPattern", func(t *testing.T, a *account) {
			a.putFilterCopy(t, "scen-kms-errors", func(in *cloudwatchlogs.PutMetricFilterInput) {
				in.FilterPattern = aws.String(`{ $.eventSource = "kms.amazonaws.com" }`)
			})
		}},
		{"filter-transformation-changed", idFilter, reconcile.ActionUpdate, "metric.value", func(t *testing.T, a *account) {
			a.putFilterCopy(t, "scen-kms-errors", func(in *cloudwatchlogs.PutMetricFilterInput) {
				in.MetricTransformations[0].MetricValue = aws.String("5")
			})
		}},
		{"filter-deleted", idFilter, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			must(t, "delete filter", err2(a.logs.DeleteMetricFilter(bg, &cloudwatchlogs.DeleteMetricFilterInput{
				LogGroupName: aws.String("scen-logs"), FilterName: aws.String("scen-kms-errors")})))
		}},
		{"log-group-retention-changed", idLogGroup, reconcile.ActionUpdate, "retentionInDays", func(t *testing.T, a *account) {
			must(t, "put retention", err2(a.logs.PutRetentionPolicy(bg, &cloudwatchlogs.PutRetentionPolicyInput{
				LogGroupName: aws.String("scen-logs"), RetentionInDays: aws.Int32(3)})))
		}},
		{"log-group-deleted", idLogGroup, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			// AWS deletes a log group's metric filters with it; moto keeps them, so there the filters stay
			// unchanged while on the emulator they are created again. checkChain holds on both.
			must(t, "delete log group", err2(a.logs.DeleteLogGroup(bg, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("scen-logs")})))
		}},
		{"trail-logging-stopped", idTrail, reconcile.ActionUpdate, "logging", func(t *testing.T, a *account) {
			must(t, "stop logging", err2(a.ct.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String("scen-trail")})))
		}},
		{"trail-delivery-removed", idTrail, reconcile.ActionUpdate, "cloudWatchLogsLogGroupArn", func(t *testing.T, a *account) {
			// An empty string clears a field in UpdateTrail.
			must(t, "update trail", err2(a.ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("scen-trail"),
				CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")})))
		}},
		{"trail-kms-excluded", idTrail, reconcile.ActionUpdate, "eventSelectors.excludeManagementEventSources", func(t *testing.T, a *account) {
			a.putSelector(t, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
				ExcludeManagementEventSources: []string{"kms.amazonaws.com"}})
		}},
		{"trail-management-events-off", idTrail, reconcile.ActionUpdate, "eventSelectors.includeManagementEvents", func(t *testing.T, a *account) {
			a.putSelector(t, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll})
		}},
		{"trail-selectors-write-only", idTrail, reconcile.ActionUpdate, "eventSelectors.readWriteType", func(t *testing.T, a *account) {
			// KMS Encrypt and Decrypt are read-only management events: WriteOnly drops them.
			a.putSelector(t, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly})
		}},
		{"trail-advanced-selector-drops-kms", idTrail, reconcile.ActionUpdate, "advancedEventSelectors.excludeManagementEventSources", func(t *testing.T, a *account) {
			must(t, "put event selectors", err2(a.ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{
				TrailName: aws.String("scen-trail"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
					Name: aws.String("mgmt"), FieldSelectors: []cttypes.AdvancedFieldSelector{
						{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
						{Field: aws.String("eventSource"), NotEquals: []string{"kms.amazonaws.com"}},
					}}}})))
		}},
		{"trail-multi-region-off", idTrail, reconcile.ActionUpdate, "multiRegion", func(t *testing.T, a *account) {
			must(t, "update trail", err2(a.ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("scen-trail"), IsMultiRegionTrail: aws.Bool(false)})))
		}},
		{"trail-log-file-validation-off", idTrail, reconcile.ActionUpdate, "logFileValidation", func(t *testing.T, a *account) {
			must(t, "update trail", err2(a.ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("scen-trail"), EnableLogFileValidation: aws.Bool(false)})))
		}},
		{"trail-deleted", idTrail, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			must(t, "delete trail", err2(a.ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("scen-trail")})))
		}},
		{"topic-deleted", idTopic, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			must(t, "delete topic", err2(a.sns.DeleteTopic(bg, &sns.DeleteTopicInput{TopicArn: aws.String(a.topicARN("scen-alerts"))})))
		}},
		{"subscription-removed", idSub, reconcile.ActionCreate, "", func(t *testing.T, a *account) {
			subs := a.subscriptions("scen-alerts")
			if len(subs) != 1 || subs[0].pending() {
				t.Fatalf("want one confirmed subscription to remove, have %v", subs)
			}
			must(t, "unsubscribe", err2(a.sns.Unsubscribe(bg, &sns.UnsubscribeInput{SubscriptionArn: aws.String(subs[0].ARN)})))
		}},
	}
}

// driftScenarios: for each drift the design lists, a converged account is drifted; a dry run exits 2
// naming the resource and field; a real pass repairs it and exits 0; the account reads back as
// the spec says; the next pass is all unchanged with zero write calls.
func driftScenarios() []scenario {
	var out []scenario
	for _, d := range drifts() {
		out = append(out, scenario{"drift/" + d.name, func(t *testing.T, a *account) {
			ms := loadText(t, baseMonitor)
			a.seed(ms)
			c := a.controller(reconcile.Options{})
			a.converge(c, ms)
			if a.emu != nil {
				// An unconfirmed subscription has no ARN to unsubscribe; confirm it as its
				// owner would. (moto confirms email subscriptions at once.)
				must(t, "confirm", a.emu.ConfirmPending(a.topicARN("scen-alerts"), "email", "secops@example.com"))
			}

			d.do(t, a)

			plan := a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending)
			if n := plan.writes(); n != 0 {
				t.Fatalf("dry run made %d write calls: %v", n, writeKeys(plan.res.Calls))
			}
			var fields []string
			if d.field != "" {
				fields = append(fields, d.field)
			}
			plan.wantAction(d.id, d.action, fields...)
			// The printed plan (--dry-run's stdout) has the resource's line with the action and
			// the field.
			printed := false
			for _, line := range strings.Split(plan.text(), "\n") {
				if strings.HasPrefix(line, d.id+" "+string(d.action)) && strings.Contains(line, d.field) {
					printed = true
				}
			}
			if !printed {
				t.Fatalf("the dry-run output has no line %s %s naming %q:\n%s", d.id, d.action, d.field, plan.text())
			}

			fix := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
			fix.wantAction(d.id, d.action, fields...)
			if a.isMoto() && d.id == idFilter && d.action == reconcile.ActionUpdate {
				// moto gap (PutMetricFilter): it appends instead of upserting, so
				// the repair leaves the drifted filter next to the repaired one and every later
				// pass sees the drifted one first. What holds: the repaired filter exists.
				wantFilterAmong(t, a, ms[0].Spec.Alarms[0].Pattern(), "1")
				return
			}
			a.checkChain(ms[0])
			a.pass(c, ms, false).wantNoop()
			a.pass(a.controller(reconcile.Options{}), ms, false).wantNoop()
		}})
	}
	return out
}

// wantFilterAmong fails unless some metric filter named scen-kms-errors has pattern and value.
func wantFilterAmong(t *testing.T, a *account, pattern, value string) {
	t.Helper()
	var all []string
	for _, f := range a.filters("scen-logs") {
		if aws.ToString(f.FilterName) != "scen-kms-errors" || len(f.MetricTransformations) != 1 {
			continue
		}
		p, v := aws.ToString(f.FilterPattern), aws.ToString(f.MetricTransformations[0].MetricValue)
		if p == pattern && v == value {
			return
		}
		all = append(all, p+" value "+v)
	}
	t.Fatalf("no filter scen-kms-errors with pattern %s and value %s among %v", pattern, value, all)
}

// putAlarmCopy rewrites an alarm as it is, but for edit: what a console user changing one field does.
func (a *account) putAlarmCopy(t *testing.T, name string, edit func(*cloudwatch.PutMetricAlarmInput)) {
	t.Helper()
	ma := a.alarm(name)
	if ma == nil {
		t.Fatalf("alarm %s is missing", name)
	}
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: ma.AlarmName, AlarmDescription: ma.AlarmDescription, ActionsEnabled: ma.ActionsEnabled,
		AlarmActions: ma.AlarmActions, OKActions: ma.OKActions, InsufficientDataActions: ma.InsufficientDataActions,
		MetricName: ma.MetricName, Namespace: ma.Namespace, Statistic: ma.Statistic, ExtendedStatistic: ma.ExtendedStatistic,
		Dimensions: ma.Dimensions, Period: ma.Period, Unit: ma.Unit, EvaluationPeriods: ma.EvaluationPeriods,
		DatapointsToAlarm: ma.DatapointsToAlarm, Threshold: ma.Threshold, ComparisonOperator: ma.ComparisonOperator,
		TreatMissingData: ma.TreatMissingData, EvaluateLowSampleCountPercentile: ma.EvaluateLowSampleCountPercentile,
	}
	if ma.Unit == "" {
		in.Unit = cwtypes.StandardUnit("")
	}
	edit(in)
	must(t, "put alarm", err2(a.cw.PutMetricAlarm(bg, in)))
}

// putFilterCopy rewrites a metric filter as it is, but for edit. On moto PutMetricFilter appends
// instead of replacing, so the copy is put after deleting the original, which is
// what AWS's upsert amounts to.
func (a *account) putFilterCopy(t *testing.T, name string, edit func(*cloudwatchlogs.PutMetricFilterInput)) {
	t.Helper()
	var got *logtypes.MetricFilter
	for _, f := range a.filters("scen-logs") {
		if aws.ToString(f.FilterName) == name {
			got = &f
		}
	}
	if got == nil {
		t.Fatalf("metric filter %s is missing", name)
	}
	in := &cloudwatchlogs.PutMetricFilterInput{LogGroupName: got.LogGroupName, FilterName: got.FilterName,
		FilterPattern: got.FilterPattern, MetricTransformations: got.MetricTransformations}
	edit(in)
	if a.isMoto() {
		must(t, "delete filter", err2(a.logs.DeleteMetricFilter(bg, &cloudwatchlogs.DeleteMetricFilterInput{
			LogGroupName: got.LogGroupName, FilterName: got.FilterName})))
	}
	must(t, "put filter", err2(a.logs.PutMetricFilter(bg, in)))
}

// putSelector replaces the scenario trail's event selectors with one basic selector.
func (a *account) putSelector(t *testing.T, s cttypes.EventSelector) {
	t.Helper()
	must(t, "put event selectors", err2(a.ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String("scen-trail"), EventSelectors: []cttypes.EventSelector{s}})))
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// err2 drops an SDK call's output.
func err2[T any](_ T, err error) error { return err }
