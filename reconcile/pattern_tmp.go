package reconcile

import "github.com/kmswatch/kmswatch/spec"

// alarmPattern is the filter pattern sent to AWS for an alarm.
// TODO(rec): use (*spec.Alarm).Pattern() once branch spec is merged; until then only filterPattern works.
func alarmPattern(a *spec.Alarm) string { return a.FilterPattern }
