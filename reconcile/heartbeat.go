package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/spec"
)

// The heartbeat and its dead man's switch. spec.heartbeat adds to the Monitor one more
// alarm-kind item, made and owned like any other: a metric filter <name>-heartbeat on the
// Monitor's log group that counts kmswatch's own successful kms:ListAliases (spec.HeartbeatPattern
// of Env.Caller), and an alarm <name>-heartbeat on its metric (KMSWatch/Heartbeat, <name>): Sum
// LessThanThreshold 1 over one-minute periods, alarmAfter of them, all needed to alarm, missing
// data breaching — ALARM only when no heartbeat arrived in the whole alarmAfter. Removing
// spec.heartbeat prunes both, as removing any alarm does.
//
// A new alarm with no data and missing = breaching would go to ALARM at once, and CloudTrail takes
// minutes to deliver the first heartbeat. So the switch's alarm is created only once armed
// (pipeline.HeartbeatInput.Armed): its filter first, then, when a heartbeat has reached the
// metric, the alarm, which starts OK. Until then its line reads "unchanged (awaiting first
// heartbeat)". In a log group the Monitor does not own, a filter with no alarm recording it would
// be a conflict, so there the two are created together, and the alarm is in ALARM until the first
// heartbeat arrives.
//
// The heartbeat call itself is Controller.Heartbeat: one per region holding a Monitor with a
// heartbeat, made by the daemon every `every` (the leader only) and by every --once pass.

// StateAwaitingHeartbeat is the line state of a switch whose creation waits for the first heartbeat.
const StateAwaitingHeartbeat ResourceState = "awaiting first heartbeat"

// heartbeatAlarm is the desired switch of m, with its filter.
func heartbeatAlarm(s *State, m spec.Monitor, env Env, resolve func([]string) []string) Alarm {
	h, name, lg := m.Spec.Heartbeat, m.HeartbeatName(), m.Spec.LogGroup.Name
	tags := ownerTags(s, spec.Ownership{DeletionPolicy: spec.DefaultAlarmDeletionPolicy})
	tags[TagFilterLogGroup], tags[TagFilterName] = lg, name
	n := int32(h.EvaluationPeriods())
	return Alarm{
		Name: name, ARN: env.alarmARN(name),
		Description: fmt.Sprintf("kmswatch dead man's switch of monitor %s: ALARM when no heartbeat reached log group %s for %s",
			m.Metadata.Name, lg, spec.FormatDuration(h.AlarmAfter.Duration)),
		Namespace: spec.HeartbeatNamespace, MetricName: m.Metadata.Name, Statistic: "Sum",
		Period: int32(spec.HeartbeatPeriod / time.Second), EvaluationPeriods: n, DatapointsToAlarm: n,
		Threshold: 1, Comparison: "LessThanThreshold", TreatMissingData: "breaching",
		AlarmActions: resolve(h.AlarmActions), ActionsEnabled: true, Tags: tags, Heartbeat: true,
		Filter: &MetricFilter{
			LogGroup: lg, Name: name, Pattern: spec.HeartbeatPattern(env.Caller),
			Namespace: spec.HeartbeatNamespace, MetricName: m.Metadata.Name, Value: "1",
		},
	}
}

// heartbeatSpec is the pipeline's view of m's heartbeat; nil without one.
func heartbeatSpec(m spec.Monitor) *HeartbeatSpec {
	h := m.Spec.Heartbeat
	if h == nil {
		return nil
	}
	return &HeartbeatSpec{Name: m.HeartbeatName(), Namespace: spec.HeartbeatNamespace, MetricName: m.Metadata.Name,
		Every: h.Every.Duration, AlarmAfter: h.AlarmAfter.Duration}
}

// unarmedSwitchFilter reports whether f is the heartbeat's filter of a switch the Monitor no longer
// wants and never armed: no alarm records it, and it is owned through the Monitor's own log group.
func unarmedSwitchFilter(want *State, f MetricFilter, ownLogGroup string) bool {
	return want.Pipeline.Heartbeat == nil && ownLogGroup != "" && f.LogGroup == ownLogGroup && f.Name == spec.HeartbeatNameOf(want.Monitor)
}

// awaitHeartbeat turns the switch's create into a line that waits for it to be armed.
func awaitHeartbeat(s Step) Step {
	c := s.Change
	c.Action, c.Changes = ActionNoop, nil
	c.State = StateAwaitingHeartbeat
	c.Message = "created once a heartbeat has reached the log group, so that it starts OK"
	return Step{Change: c}
}

// Heartbeat is one heartbeat call: made in Region, for the Monitors of the file that live there,
// at At; failed with Err.
type Heartbeat struct {
	Region   string
	Monitors []string
	At       time.Time
	Err      error
}

// Heartbeat makes kmswatch's heartbeat: one kms:ListAliases (Limit 1) in each region holding a
// Monitor with spec.heartbeat, as kmswatch's own principal, so that CloudTrail records it and
// every trail covering the region delivers it to the log groups whose heartbeat filters count
// it. It returns one Heartbeat per region, in the order of the Monitors, and their errors
// joined. Monitors without a heartbeat cost nothing.
func (c *Controller) Heartbeat(ctx context.Context, monitors []spec.Monitor) ([]Heartbeat, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var regions []string
	served := map[string][]string{}
	for _, m := range monitors {
		if m.Spec.Heartbeat == nil {
			continue
		}
		name := m.Spec.Region
		if name == "" {
			name = c.env.Region
		}
		if !slices.Contains(regions, name) {
			regions = append(regions, name)
		}
		served[name] = append(served[name], m.Metadata.Name)
	}
	var out []Heartbeat
	var errs []error
	for _, name := range regions {
		hb := Heartbeat{Region: name, Monitors: served[name], At: c.now()}
		r, err := c.region(name)
		if err == nil {
			_, err = r.clients.KMS.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(1)})
		}
		if err != nil {
			hb.Err = fmt.Errorf("heartbeat kms:ListAliases in %s: %w", name, err)
			errs = append(errs, hb.Err)
		}
		out = append(out, hb)
	}
	return out, errors.Join(errs...)
}

// resolveCaller asks STS who kmswatch is, once per controller, when a Monitor has a heartbeat and
// the Env does not say: the heartbeat's filter matches that principal.
func (c *Controller) resolveCaller(ctx context.Context, monitors []spec.Monitor) error {
	if c.env.Caller != "" || !slices.ContainsFunc(monitors, func(m spec.Monitor) bool { return m.Spec.Heartbeat != nil }) {
		return nil
	}
	out, err := c.regions[c.env.Region].clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("resolve kmswatch's own principal for the heartbeat (sts GetCallerIdentity): %w", err)
	}
	c.env.Caller = aws.ToString(out.Arn)
	for _, r := range c.regions {
		r.env.Caller = c.env.Caller
	}
	return nil
}

// Caller is kmswatch's own principal as STS named it: the principal the heartbeat's filter
// matches; "" until a pass with a heartbeat asked.
func (c *Controller) Caller() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.env.Caller
}

// armedNow updates the pipelines whose switch this pass created: the judgement was made before,
// when it was not armed; a new alarm is INSUFFICIENT_DATA until CloudWatch first evaluates it.
func armedNow(res *Result) {
	for i := range res.Pipelines {
		hb := res.Pipelines[i].Heartbeat
		if hb == nil || hb.State != pipeline.HeartbeatNotArmed {
			continue
		}
		for _, c := range res.Changes {
			if c.Monitor == res.Pipelines[i].Monitor && c.ID == alarmRef(hb.Alarm).String() && c.Action == ActionCreate && c.Applied && c.Err == nil {
				hb.State = "INSUFFICIENT_DATA"
			}
		}
	}
}
