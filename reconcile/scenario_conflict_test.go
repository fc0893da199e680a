package reconcile_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kmswatch/kmswatch/reconcile"
)

// foreign resources of the desired names, made by someone else (no ownership tags).

func (a *account) foreignAlarm(t *testing.T, name string) {
	t.Helper()
	must(t, "put foreign alarm", err2(a.cw.PutMetricAlarm(bg, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), MetricName: aws.String("Other"), Namespace: aws.String("Someone/Else"),
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(2),
		Threshold: aws.Float64(99), ComparisonOperator: cwtypes.ComparisonOperatorLessThanThreshold,
	})))
}

func (a *account) foreignTopic(t *testing.T, name string) {
	t.Helper()
	must(t, "create foreign topic", err2(a.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String(name)})))
}

func (a *account) foreignTrail(t *testing.T, name string) {
	t.Helper()
	must(t, "create foreign trail", err2(a.ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{
		Name: aws.String(name), S3BucketName: aws.String("scen-bucket")})))
}

func (a *account) foreignLogGroup(t *testing.T, name string) {
	t.Helper()
	must(t, "create foreign log group", err2(a.logs.CreateLogGroup(bg, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})))
}

type conflictCase struct {
	name string
	run  func(t *testing.T, a *account)
}

// conflicts: an existing resource of a desired name that kmswatch does not own is a conflict —
// reported, never written, exit 1 — while everything else converges.
func conflicts() []conflictCase {
	check := func(t *testing.T, a *account, id string, make func(), untouched func()) {
		ms := loadText(t, baseMonitor)
		a.seed(ms)
		make()
		c := a.controller(reconcile.Options{})
		a.pass(c, ms, true).wantOutcome(reconcile.OutcomeFailed).wantAction(id, reconcile.ActionConflict)
		o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
		o.wantAction(id, reconcile.ActionConflict)
		for _, ch := range o.res.Changes {
			if ch.Err != nil {
				t.Errorf("%s failed: %v", ch.ID, ch.Err)
			}
		}
		untouched()
		// Everything else converged: the next pass plans nothing but the conflict (and what
		// hangs on it) and writes nothing.
		next := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
		for _, ch := range next.res.Changes {
			if ch.Action != reconcile.ActionNoop && ch.Action != reconcile.ActionConflict {
				t.Errorf("after a conflict, %s is still %s", ch.ID, ch.Action)
			}
		}
		if n := next.writes(); n != 0 {
			t.Errorf("the pass after a conflict made %d writes: %v", n, writeKeys(next.res.Calls))
		}
		if a.logGroup("scen-logs") == nil || a.alarm("scen-key-disable") == nil {
			t.Error("the resources not in conflict were not created")
		}
		ref, err := reconcile.ParseRef(id)
		if err != nil {
			t.Fatal(err)
		}
		if tags := a.tags(ref.Kind, ref.Name); tags[reconcile.TagManagedBy] != "" {
			t.Errorf("%s was tagged despite the conflict: %v", id, tags)
		}
	}
	return []conflictCase{
		{"alarm", func(t *testing.T, a *account) {
			check(t, a, idAlarm, func() { a.foreignAlarm(t, "scen-kms-errors") }, func() {
				got := a.alarm("scen-kms-errors")
				if got == nil || aws.ToFloat64(got.Threshold) != 99 || aws.ToString(got.Namespace) != "Someone/Else" {
					t.Errorf("the foreign alarm was changed: %+v", got)
				}
			})
		}},
		{"topic", func(t *testing.T, a *account) {
			check(t, a, idTopic, func() { a.foreignTopic(t, "scen-alerts") }, func() {
				if subs := a.subscriptions("scen-alerts"); len(subs) != 0 {
					t.Errorf("kmswatch subscribed to a foreign topic: %v", subs)
				}
			})
		}},
		{"trail", func(t *testing.T, a *account) {
			// kmswatch addresses trails by name, never by ARN: moto ≤5.2.2 answers 500 to
			// StartLogging with an ARN and ignores DeleteTrail with one.
			check(t, a, idTrail, func() { a.foreignTrail(t, "scen-trail") }, func() {
				tr := a.trail("scen-trail")
				if tr == nil || tr.CloudWatchLogsLogGroupArn != nil || aws.ToBool(tr.IsMultiRegionTrail) {
					t.Errorf("the foreign trail was changed: %+v", tr)
				}
			})
		}},
		{"log-group", func(t *testing.T, a *account) {
			check(t, a, idLogGroup, func() { a.foreignLogGroup(t, "scen-logs") }, func() {
				lg := a.logGroup("scen-logs")
				if lg == nil || lg.RetentionInDays != nil {
					t.Errorf("the foreign log group was changed: %+v", lg)
				}
			})
		}},
	}
}

// adopt: with adopt: true, existing foreign resources are taken over — tagged and converged.
func adopt(t *testing.T, a *account) {
	text := strings.NewReplacer(
		"    name: scen-logs\n", "    name: scen-logs\n    adopt: true\n",
		"    - name: scen-alerts\n", "    - name: scen-alerts\n      adopt: true\n",
		"    - name: scen-kms-errors\n", "    - name: scen-kms-errors\n      adopt: true\n",
	).Replace(baseMonitor)
	ms := loadText(t, text)
	if !ms[0].Spec.LogGroup.Adopt || !ms[0].Spec.Topics[0].Adopt || !ms[0].Spec.Alarms[0].Adopt {
		t.Fatal("the fixture lost its adopt flags")
	}
	a.seed(ms)
	a.foreignAlarm(t, "scen-kms-errors")
	a.foreignTopic(t, "scen-alerts")
	a.foreignLogGroup(t, "scen-logs")
	c := a.controller(reconcile.Options{})
	plan := a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending)
	plan.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
	o.wantAction(idLogGroup, reconcile.ActionUpdate, "retentionInDays")
	o.wantAction(idTopic, reconcile.ActionUpdate)
	a.checkChain(ms[0])
	a.pass(c, ms, false).wantNoop()
	// Once adopted, the resources are owned: the same file without adopt is in sync too.
	a.pass(a.controller(reconcile.Options{}), loadText(t, baseMonitor), false).wantNoop()
}
