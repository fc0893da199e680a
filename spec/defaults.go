package spec

import "time"

// Default values, named so that validation, the schema test and the docs agree on them.
const (
	DefaultStatistic         = "Sum"
	DefaultEvaluationPeriods = 1
	DefaultTreatMissingData  = "notBreaching"
	DefaultMetricValue       = "1"
)

// Default durations of the live-pipeline checks.
const (
	// DefaultHeartbeatEvery is how often kmswatch makes its heartbeat call.
	DefaultHeartbeatEvery = 5 * time.Minute
	// DefaultHeartbeatAlarmAfter is how long without a heartbeat trips the switch: longer than
	// CloudTrail's usual delivery time (about 5 minutes, up to 15) plus one heartbeat interval.
	DefaultHeartbeatAlarmAfter = 30 * time.Minute
	// DefaultStaleAfter is how long a fed log group may be silent before kmswatch warns.
	DefaultStaleAfter = 30 * time.Minute
)

// Default deletion policies: data-bearing resources (the trail, the log group) are kept when
// removed from a Monitor, the others deleted. The reconcile engine also falls back on them for a
// resource whose deletion-policy tag is missing.
const (
	DefaultTrailDeletionPolicy    = DeletionRetain
	DefaultLogGroupDeletionPolicy = DeletionRetain
	DefaultTopicDeletionPolicy    = DeletionDelete
	DefaultAlarmDeletionPolicy    = DeletionDelete
)

// SetDefaults fills every unset field of m with its default. It is the one place defaults live:
// Load calls it before validating, and the reconcile engine relies on Load's monitors being
// defaulted. It is idempotent.
//
//   - alarm: statistic Sum, evaluationPeriods 1, datapointsToAlarm = evaluationPeriods,
//     treatMissingData notBreaching (a metric-filter metric has no data in quiet minutes, and
//     quiet is not a breach), actionsEnabled true, filterName = the alarm's name,
//     metric value "1" (count matching events), deletionPolicy Delete;
//   - trail: multiRegion and logFileValidation true (what CIS asks for), deletionPolicy Retain;
//   - log group: deletionPolicy Retain (it holds the audit trail), staleAfter 30m; topic:
//     deletionPolicy Delete;
//   - heartbeat (when given): every 5m, alarmAfter 30m, alarmActions every topic the Monitor's
//     alarms notify (in the order the alarms name them).
func SetDefaults(m *Monitor) {
	s := &m.Spec
	if s.Trail != nil {
		setBool(&s.Trail.MultiRegion, true)
		setBool(&s.Trail.LogFileValidation, true)
		setPolicy(&s.Trail.DeletionPolicy, DefaultTrailDeletionPolicy)
	}
	setPolicy(&s.LogGroup.DeletionPolicy, DefaultLogGroupDeletionPolicy)
	setDuration(&s.LogGroup.StaleAfter, DefaultStaleAfter)
	if h := s.Heartbeat; h != nil {
		setDuration(&h.Every, DefaultHeartbeatEvery)
		setDuration(&h.AlarmAfter, DefaultHeartbeatAlarmAfter)
		if h.AlarmActions == nil {
			h.AlarmActions = notifiedTopics(s.Alarms)
		}
	}
	for i := range s.Topics {
		setPolicy(&s.Topics[i].DeletionPolicy, DefaultTopicDeletionPolicy)
	}
	for i := range s.Alarms {
		setAlarmDefaults(&s.Alarms[i])
	}
}

// setAlarmDefaults fills an alarm's unset fields: SetDefaults' rules for one alarm, also applied
// to the alarms a preset expands to.
func setAlarmDefaults(a *Alarm) {
	if a.Statistic == "" {
		a.Statistic = DefaultStatistic
	}
	if a.EvaluationPeriods == 0 {
		a.EvaluationPeriods = DefaultEvaluationPeriods
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = DefaultTreatMissingData
	}
	if a.Metric.Value == "" {
		a.Metric.Value = DefaultMetricValue
	}
	if a.FilterName == "" {
		a.FilterName = a.Name
	}
	setBool(&a.ActionsEnabled, true)
	setPolicy(&a.DeletionPolicy, DefaultAlarmDeletionPolicy)
}

func setBool(p **bool, v bool) {
	if *p == nil {
		*p = &v
	}
}

func setPolicy(p *DeletionPolicy, v DeletionPolicy) {
	if *p == "" {
		*p = v
	}
}

func setDuration(p *Duration, v time.Duration) {
	if p.Duration == 0 {
		p.Duration = v
	}
}

// notifiedTopics is every alarm action of the alarms, once each, in the order they appear.
func notifiedTopics(alarms []Alarm) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range alarms {
		for _, act := range a.AlarmActions {
			if !seen[act] {
				seen[act] = true
				out = append(out, act)
			}
		}
	}
	return out
}
