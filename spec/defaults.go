package spec

// Default values, named so that validation, the schema test and the docs agree on them.
const (
	DefaultStatistic         = "Sum"
	DefaultEvaluationPeriods = 1
	DefaultTreatMissingData  = "notBreaching"
	DefaultMetricValue       = "1"
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
//   - log group: deletionPolicy Retain (it holds the audit trail); topic: deletionPolicy Delete.
func SetDefaults(m *Monitor) {
	s := &m.Spec
	if s.Trail != nil {
		setBool(&s.Trail.MultiRegion, true)
		setBool(&s.Trail.LogFileValidation, true)
		setPolicy(&s.Trail.DeletionPolicy, DefaultTrailDeletionPolicy)
	}
	setPolicy(&s.LogGroup.DeletionPolicy, DefaultLogGroupDeletionPolicy)
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
