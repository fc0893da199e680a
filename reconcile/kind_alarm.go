package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/kmswatch/kmswatch/spec"
)

// alarmKind is a CloudWatch alarm with the metric filter that feeds it: one spec item, two
// resources. Metric filters cannot be tagged, so a filter is owned through the alarm whose tags
// record it (kmswatch.dev/filter-log-group, -filter-name), or through the log group holding it when
// the Monitor owns that (so that a deleted alarm does not turn its filter into a conflict). The
// alarm is written first and deleted last: a crash never leaves a filter no alarm records.
// PutMetricAlarm and PutMetricFilter silently overwrite, so ownership is checked before writing.
//
// The marker costs an alarm nothing on create (PutMetricAlarm takes Tags) and one
// cloudwatch:TagResource on an update (PutMetricAlarm ignores Tags for an existing alarm) or when
// its filter alone is written; reading it fresh is one cloudwatch:ListTagsForResource.
type alarmKind struct{}

func (alarmKind) desire(s *State, m spec.Monitor, env Env) {
	resolve := actionResolver(m, env)
	lg := m.Spec.LogGroup.Name
	for _, a := range m.Spec.Alarms {
		tags := ownerTags(s, a.Ownership)
		tags[TagFilterLogGroup], tags[TagFilterName] = lg, a.FilterName
		var threshold float64
		if a.Threshold != nil { // required by validation
			threshold = *a.Threshold
		}
		s.Alarms = append(s.Alarms, Alarm{
			Name: a.Name, ARN: env.alarmARN(a.Name), Description: a.Description,
			Namespace: a.Metric.Namespace, MetricName: a.Metric.Name, Statistic: a.Statistic,
			Period: int32(a.Period.Seconds()), EvaluationPeriods: int32(a.EvaluationPeriods), DatapointsToAlarm: int32(a.DatapointsToAlarm),
			Threshold: threshold, Comparison: a.Comparison, TreatMissingData: a.TreatMissingData,
			AlarmActions: resolve(a.AlarmActions), OKActions: resolve(a.OKActions), InsufficientDataActions: resolve(a.InsufficientDataActions),
			ActionsEnabled: a.ActionsEnabled == nil || *a.ActionsEnabled, Tags: tags, Adopt: a.Adopt,
			Filter: &MetricFilter{
				LogGroup: lg, Name: a.FilterName, Pattern: a.Pattern(),
				Namespace: a.Metric.Namespace, MetricName: a.Metric.Name, Value: a.Metric.Value,
				DefaultValue: a.Metric.DefaultValue, Unit: a.Metric.Unit,
			},
		})
	}
	if m.Spec.Heartbeat != nil {
		s.Alarms = append(s.Alarms, heartbeatAlarm(s, m, env, resolve))
	}
	slices.SortFunc(s.Alarms, func(a, b Alarm) int { return strings.Compare(a.Name, b.Name) })
}

// actionResolver turns alarm actions as the spec writes them (topic names of the file, or topic
// ARNs) into sorted topic ARNs.
func actionResolver(m spec.Monitor, env Env) func(actions []string) []string {
	topics := map[string]string{}
	for _, t := range m.Spec.Topics {
		topics[t.Name] = env.topicARN(t.Name)
	}
	return func(actions []string) []string {
		var out []string
		for _, a := range actions {
			switch arn, ok := topics[a]; {
			case ok:
				out = append(out, arn)
			case strings.HasPrefix(a, "arn:"):
				out = append(out, a)
			default: // a name the file does not declare: validation rejects it; be total anyway
				out = append(out, env.topicARN(a))
			}
		}
		slices.Sort(out)
		return out
	}
}

// observe reads the alarms of every Monitor at once, 100 names a DescribeAlarms call (ten Monitors
// of 100 alarms cost what one of 1,000 does), then per log group that can hold one of a Monitor's
// filters its metric filters, 50 a page.
func (alarmKind) observe(ctx context.Context, o *observer) error {
	each := make([]map[string]bool, len(o.wants))
	for i, w := range o.wants {
		var desired []string
		for _, a := range w.Alarms {
			desired = append(desired, a.Name)
		}
		each[i] = o.names(i, KindAlarm, desired...)
	}
	names := o.allNames(each)
	alarms, err := describeAlarms(ctx, o.r, names)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, ok := alarms[n]; !ok {
			o.gone(alarmRef(n))
		}
	}
	for i := range o.wants {
		got := &o.gots[i]
		for _, n := range slices.Sorted(maps.Keys(each[i])) {
			a, ok := alarms[n]
			if !ok {
				continue
			}
			if a.Tags, err = o.tags(ctx, alarmRef(n), func(ctx context.Context) (map[string]string, error) {
				return alarmTags(n, a.ARN).read(ctx, o.r)
			}); err != nil {
				o.fail(i, err)
				continue
			}
			got.Alarms = append(got.Alarms, a)
		}
		for _, lg := range filterLogGroups(o.wants[i], got.Alarms) {
			fs, err := logGroupFilters(ctx, o, lg)
			if err != nil {
				o.fail(i, err)
				continue
			}
			got.Filters = append(got.Filters, fs...)
		}
	}
	return nil
}

// alarmTags reaches an alarm's tags.
func alarmTags(name, arn string) tagIO {
	return tagIO{
		read: func(ctx context.Context, r *region) (map[string]string, error) {
			out, err := r.clients.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			tags := map[string]string{}
			for _, t := range out.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return tags, nil
		},
		write: func(ctx context.Context, r *region, tags map[string]string) error {
			if _, err := r.clients.CloudWatch.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: cwTags(tags)}); err != nil {
				return fmt.Errorf("tag alarm %s: %w", name, err)
			}
			return nil
		},
	}
}

// filterLogGroups lists the log groups that can hold a Monitor's filters: those of its desired
// filters, and those its owned alarms record.
func filterLogGroups(want State, alarms []Alarm) []string {
	groups := map[string]bool{}
	for _, a := range want.Alarms {
		groups[a.Filter.LogGroup] = true
	}
	for _, a := range alarms {
		if owner(a.Tags) != want.Monitor {
			continue
		}
		if ref, ok := recordedFilter(a.Tags); ok {
			groups[strings.SplitN(ref.Name, "/", 2)[0]] = true
		}
	}
	return slices.Sorted(maps.Keys(groups))
}

// describeAlarms reads alarms by name, 100 names a call (DescribeAlarms' limit).
func describeAlarms(ctx context.Context, r *region, names []string) (map[string]Alarm, error) {
	out := map[string]Alarm{}
	for batch := range slices.Chunk(names, 100) {
		pages := cloudwatch.NewDescribeAlarmsPaginator(r.clients.CloudWatch, &cloudwatch.DescribeAlarmsInput{AlarmNames: batch, MaxRecords: aws.Int32(100)},
			func(o *cloudwatch.DescribeAlarmsPaginatorOptions) { o.StopOnDuplicateToken = true })
		for pages.HasMorePages() {
			res, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe alarms: %w", err)
			}
			for _, ma := range res.MetricAlarms {
				a := alarmFromAWS(ma)
				if a.ARN == "" {
					a.ARN = r.env.alarmARN(a.Name)
				}
				out[a.Name] = a
			}
		}
	}
	return out, nil
}

// alarmFromAWS normalises an alarm as DescribeAlarms returns it: unset optional fields take AWS's
// defaults (DatapointsToAlarm = EvaluationPeriods, TreatMissingData = missing, actions enabled) and
// lists are sorted, so that a converged alarm diffs as unchanged.
func alarmFromAWS(ma cwtypes.MetricAlarm) Alarm {
	a := Alarm{
		Name: aws.ToString(ma.AlarmName), ARN: aws.ToString(ma.AlarmArn), Description: aws.ToString(ma.AlarmDescription),
		Namespace: aws.ToString(ma.Namespace), MetricName: aws.ToString(ma.MetricName),
		Statistic: string(ma.Statistic), Unit: string(ma.Unit),
		Period: aws.ToInt32(ma.Period), EvaluationPeriods: aws.ToInt32(ma.EvaluationPeriods), DatapointsToAlarm: aws.ToInt32(ma.DatapointsToAlarm),
		Threshold: aws.ToFloat64(ma.Threshold), Comparison: string(ma.ComparisonOperator), TreatMissingData: aws.ToString(ma.TreatMissingData),
		AlarmActions:            slices.Sorted(slices.Values(ma.AlarmActions)),
		OKActions:               slices.Sorted(slices.Values(ma.OKActions)),
		InsufficientDataActions: slices.Sorted(slices.Values(ma.InsufficientDataActions)),
		ActionsEnabled:          ma.ActionsEnabled == nil || *ma.ActionsEnabled,
		State:                   string(ma.StateValue),
	}
	if a.Statistic == "" && ma.ExtendedStatistic != nil {
		a.Statistic = *ma.ExtendedStatistic
	}
	if a.Unit == "None" {
		a.Unit = ""
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = "missing"
	}
	var dims []string
	for _, d := range ma.Dimensions {
		dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	slices.Sort(dims)
	a.Dimensions = strings.Join(dims, ",")
	return a
}

// logGroupFilters reads a log group's metric filters once per pass, 50 a page.
func logGroupFilters(ctx context.Context, o *observer, logGroup string) ([]MetricFilter, error) {
	if fs, ok := o.filtersOf[logGroup]; ok {
		return fs, nil
	}
	var out []MetricFilter
	pages := cloudwatchlogs.NewDescribeMetricFiltersPaginator(o.r.clients.Logs,
		&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(logGroup), Limit: aws.Int32(50)},
		func(po *cloudwatchlogs.DescribeMetricFiltersPaginatorOptions) { po.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if isNotFound(err) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("describe metric filters of log group %s: %w", logGroup, err)
		}
		for _, f := range res.MetricFilters {
			if g := aws.ToString(f.LogGroupName); g != "" && g != logGroup {
				continue
			}
			out = append(out, filterFromAWS(logGroup, f))
		}
	}
	// AWS keeps one filter per name. moto's PutMetricFilter appends instead of replacing, so keep
	// the last, newest entry of a name, or an update would never converge there.
	last := map[string]int{}
	for i, mf := range out {
		last[mf.Name] = i
	}
	dedup := out[:0]
	for i, mf := range out {
		if last[mf.Name] == i {
			dedup = append(dedup, mf)
		}
	}
	o.filtersOf[logGroup] = dedup
	return dedup, nil
}

func filterFromAWS(logGroup string, f ltypes.MetricFilter) MetricFilter {
	mf := MetricFilter{LogGroup: logGroup, Name: aws.ToString(f.FilterName), Pattern: aws.ToString(f.FilterPattern)}
	if f.CreationTime != nil {
		mf.Created = time.UnixMilli(*f.CreationTime).UTC()
	}
	if len(f.MetricTransformations) == 0 {
		return mf
	}
	t := f.MetricTransformations[0]
	mf.Namespace, mf.MetricName, mf.Value = aws.ToString(t.MetricNamespace), aws.ToString(t.MetricName), aws.ToString(t.MetricValue)
	mf.DefaultValue = t.DefaultValue
	if mf.Unit = string(t.Unit); mf.Unit == "None" {
		mf.Unit = ""
	}
	var dims []string
	for k, v := range t.Dimensions {
		dims = append(dims, k+"="+v)
	}
	slices.Sort(dims)
	mf.Dimensions = strings.Join(dims, ",")
	return mf
}

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
	d.str("metric.defaultValue", formatFloatPtr(got.DefaultValue), formatFloatPtr(want.DefaultValue))
	d.str("metric.unit", got.Unit, want.Unit)
	d.str("metric.dimensions", got.Dimensions, want.Dimensions)
	return d
}

// errAlarmNotWritten marks a filter left unwritten because its alarm's create failed: the alarm
// is what records a filter, and an unrecorded filter in a foreign log group would be a conflict on
// the next pass. It is a consequence of an error already reported.
var errAlarmNotWritten = errors.New("skipped, its alarm was not written")

// deleteBatch deletes the alarms a plan prunes together, 100 names a DeleteAlarms call, the first
// time one of them is applied (after their filters are gone); each alarm's step then reads its
// own outcome. A plan is applied once.
type deleteBatch struct {
	names []string
	done  bool
	errs  map[string]error
}

func (b *deleteBatch) delete(ctx context.Context, r *region, name string) error {
	if !b.done {
		b.done, b.errs = true, map[string]error{}
		for names := range slices.Chunk(b.names, 100) {
			_, err := r.clients.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: names})
			if err = ignoreNotFound(err, "delete alarms %v", names); err != nil {
				// One call failed for all of them: the first line carries the error, the
				// others follow from it.
				b.errs[names[0]] = err
				for _, n := range names[1:] {
					b.errs[n] = consequence(err)
				}
			}
		}
	}
	return b.errs[name]
}

func (alarmKind) plan(p *planner, want *State, got *Actual) (upserts, deletes []Step) {
	gotAlarms := map[string]*Alarm{}
	for i := range got.Alarms {
		gotAlarms[got.Alarms[i].Name] = &got.Alarms[i]
	}
	gotFilters := map[Ref]*MetricFilter{}
	for i := range got.Filters {
		gotFilters[got.Filters[i].ref()] = &got.Filters[i]
	}
	// A filter in the Monitor's own log group is the Monitor's to write.
	var ownLogGroup string
	if w := want.LogGroup; w != nil {
		g := findByName(got.LogGroups, w.Name, func(l LogGroup) string { return l.Name })
		if g == nil || p.conflict(g.Tags, w.Adopt) == "" {
			ownLogGroup = w.Name
		}
	}
	var filterSteps []Step
	for i := range want.Alarms {
		wa := &want.Alarms[i]
		alarm, filter := planAlarm(p, wa, gotAlarms[wa.Name], gotFilters[wa.Filter.ref()], ownLogGroup)
		if wa.Heartbeat && alarm.Action == ActionCreate && !got.HeartbeatArmed && wa.Filter.LogGroup == ownLogGroup {
			alarm = awaitHeartbeat(alarm)
		}
		upserts = append(upserts, alarm)
		filterSteps = append(filterSteps, filter)
	}
	// Every alarm before any filter: a filter is never created before its alarm records it.
	upserts = append(upserts, filterSteps...)
	return upserts, pruneAlarms(p, want, got, ownLogGroup)
}

// planAlarm plans one alarm and its filter. Either one in conflict makes both a conflict: they are
// one item, written together or not at all.
func planAlarm(p *planner, wa *Alarm, ga *Alarm, gf *MetricFilter, ownLogGroup string) (alarm, filter Step) {
	wf := wa.Filter
	var gotTags map[string]string
	if ga != nil {
		gotTags = ga.Tags
	}
	ac := p.decide(alarmRef(wa.Name), wa.Adopt, ga != nil, gotTags, func() []FieldChange { return diffAlarm(wa, ga) })
	fc := newChange(wf.ref(), p.monitor)
	if gf != nil && !wa.Adopt && wf.LogGroup != ownLogGroup {
		// Not in the Monitor's log group: the filter is the Monitor's only if its alarm records it.
		recorded, ok := Ref{}, false
		if ga != nil && p.owns(ga.Tags) {
			recorded, ok = recordedFilter(ga.Tags)
		}
		if !ok || recorded != wf.ref() {
			fc.Action, fc.Message = ActionConflict, "metric filter exists and is not recorded on an alarm of this monitor; set adopt: true to take it over"
		}
	}
	if ac.Action == ActionConflict || fc.Action == ActionConflict {
		if ac.Action != ActionConflict {
			ac.Action, ac.Message, ac.Changes = ActionConflict, "its metric filter "+fc.Name+" is in conflict", nil
		}
		if fc.Action != ActionConflict {
			fc.Action, fc.Message = ActionConflict, "its alarm "+wa.Name+" is in conflict"
		}
		return Step{Change: ac}, part(Step{Change: fc}, ac.Ref())
	}
	switch {
	case gf == nil:
		fc.Action = ActionCreate
	default:
		if fc.Changes = diffFilter(wf, gf); len(fc.Changes) > 0 {
			fc.Action = ActionUpdate
		} else {
			fc.Action = ActionNoop
		}
	}
	notWritten := false
	alarm = p.step(ac, wa.Tags, gotTags, alarmTags(wa.Name, wa.ARN), func(ctx context.Context, r *region) error {
		err := writeAlarm(ctx, r, wa, ac)
		notWritten = err != nil && ac.Action == ActionCreate
		return err
	})
	filter = part(Step{Change: fc}, ac.Ref())
	if fc.Action.Writes() {
		filter.apply = func(ctx context.Context, r *region) error {
			if notWritten {
				return consequence(fmt.Errorf("put metric filter %s: %w", fc.Name, errAlarmNotWritten))
			}
			return writeFilter(ctx, r, wf)
		}
	}
	return alarm, filter
}

// headOf is the alarm that records a filter, the resource whose marker covers it; none for the
// filter of a switch never armed, which no alarm records.
func headOf(alarm string) Ref {
	if alarm == "" {
		return Ref{}
	}
	return alarmRef(alarm)
}

// pruneAlarms plans what the Monitor owns and no longer declares, filters before their alarms:
// a filter is pruned only when an alarm of the Monitor records it — or, for the heartbeat's filter
// whose switch was never armed, when it is in the Monitor's own log group (ownLogGroup).
func pruneAlarms(p *planner, want *State, got *Actual, ownLogGroup string) []Step {
	wantAlarms, wantFilters := map[string]bool{}, map[Ref]bool{}
	for _, a := range want.Alarms {
		wantAlarms[a.Name], wantFilters[a.Filter.ref()] = true, true
	}
	recordedBy := map[Ref]string{} // filter → the owned alarm that records it
	for _, a := range got.Alarms {
		if ref, ok := recordedFilter(a.Tags); ok && p.owns(a.Tags) {
			recordedBy[ref] = a.Name
		}
	}
	var deletes []Step
	for _, f := range got.Filters {
		by, recorded := recordedBy[f.ref()]
		if !wantFilters[f.ref()] && (recorded || unarmedSwitchFilter(want, f, ownLogGroup)) {
			c := newChange(f.ref(), p.monitor)
			c.Action = ActionDelete
			deletes = append(deletes, part(Step{Change: c, apply: func(ctx context.Context, r *region) error {
				_, err := r.clients.Logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(f.LogGroup), FilterName: aws.String(f.Name)})
				return ignoreNotFound(err, "delete metric filter %s", f.ref())
			}}, headOf(by)))
		}
	}
	batch := &deleteBatch{}
	for _, a := range got.Alarms {
		if !p.owns(a.Tags) || wantAlarms[a.Name] {
			continue
		}
		s := p.prune(alarmRef(a.Name), a.Tags, spec.DefaultAlarmDeletionPolicy, alarmTags(a.Name, a.ARN), func(ctx context.Context, r *region) error {
			return batch.delete(ctx, r, a.Name)
		})
		if s.Action == ActionDelete {
			batch.names = append(batch.names, a.Name)
		}
		deletes = append(deletes, s)
	}
	return deletes
}

// writeAlarm puts the alarm when a field other than a tag differs (PutMetricAlarm replaces the
// whole alarm), with its tags on create; on update the planner writes the tags with TagResource,
// because PutMetricAlarm ignores Tags for an existing alarm:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
func writeAlarm(ctx context.Context, r *region, w *Alarm, c Change) error {
	if c.Action == ActionCreate || !onlyTags(c.Changes) {
		in := &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(w.Name), AlarmDescription: nilIfEmpty(w.Description),
			Namespace: aws.String(w.Namespace), MetricName: aws.String(w.MetricName), Statistic: cwtypes.Statistic(w.Statistic),
			Period: aws.Int32(w.Period), EvaluationPeriods: aws.Int32(w.EvaluationPeriods), DatapointsToAlarm: aws.Int32(w.DatapointsToAlarm),
			Threshold: aws.Float64(w.Threshold), ComparisonOperator: cwtypes.ComparisonOperator(w.Comparison),
			TreatMissingData: aws.String(w.TreatMissingData),
			AlarmActions:     w.AlarmActions, OKActions: w.OKActions, InsufficientDataActions: w.InsufficientDataActions,
			ActionsEnabled: aws.Bool(w.ActionsEnabled),
		}
		if w.Unit != "" {
			in.Unit = cwtypes.StandardUnit(w.Unit)
		}
		if c.Action == ActionCreate {
			in.Tags = cwTags(w.Tags)
		}
		if _, err := r.clients.CloudWatch.PutMetricAlarm(ctx, in); err != nil {
			return fmt.Errorf("put metric alarm %s: %w", w.Name, err)
		}
	}
	return nil
}

// writeFilter puts a metric filter; PutMetricFilter creates or replaces by name.
func writeFilter(ctx context.Context, r *region, w *MetricFilter) error {
	t := ltypes.MetricTransformation{
		MetricName: aws.String(w.MetricName), MetricNamespace: aws.String(w.Namespace),
		MetricValue: aws.String(w.Value), DefaultValue: w.DefaultValue,
	}
	if w.Unit != "" {
		t.Unit = ltypes.StandardUnit(w.Unit)
	}
	_, err := r.clients.Logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String(w.LogGroup), FilterName: aws.String(w.Name), FilterPattern: aws.String(w.Pattern),
		MetricTransformations: []ltypes.MetricTransformation{t},
	})
	if err != nil {
		return fmt.Errorf("put metric filter %s: %w", w.ref(), err)
	}
	return nil
}

func cwTags(m map[string]string) []cwtypes.Tag {
	var out []cwtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, cwtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
