package spec

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// presetAlarm is one alarm a spec.presets entry expands to, with the field path that problems
// with it are reported at: the entry, or the override that changed it.
type presetAlarm struct {
	alarm Alarm
	ref   int
	path  string
}

// ExpandPresets turns m's spec.presets into ordinary alarms, appended to spec.alarms in the
// order of the entries and of each preset's alarms, and clears spec.presets. Load does this for
// every Monitor it returns; code that builds Monitors itself calls it after Validate. An entry
// naming no preset or version expands to nothing (Validate reports it).
func ExpandPresets(m *Monitor) {
	for _, pa := range expandPresets(&m.Spec) {
		m.Spec.Alarms = append(m.Spec.Alarms, pa.alarm)
	}
	m.Spec.Presets = nil
}

// expandPresets returns the alarms of s's presets, defaulted, without changing s.
func expandPresets(s *MonitorSpec) []presetAlarm {
	var out []presetAlarm
	for i, ref := range s.Presets {
		p, err := presets.Lookup(ref.Name, ref.Version)
		if err != nil {
			continue
		}
		for _, def := range p.Alarms {
			if contains(ref.Exclude, def.Name) {
				continue
			}
			a := fromPreset(def, ref.AlarmActions)
			path := fmt.Sprintf("spec.presets[%d]", i)
			if o, ok := ref.Overrides[def.Name]; ok {
				o.apply(&a)
				path = mapKeyPath(path+".overrides", def.Name)
			}
			setAlarmDefaults(&a)
			out = append(out, presetAlarm{alarm: a, ref: i, path: path})
		}
	}
	return out
}

// fromPreset is a preset's alarm as a spec alarm: filter pattern verbatim, filter named as the
// alarm, the preset-wide actions.
func fromPreset(def presets.Alarm, actions []string) Alarm {
	threshold := def.Threshold
	var defaultValue *float64
	if def.DefaultValue != nil {
		v := *def.DefaultValue
		defaultValue = &v
	}
	return Alarm{
		Name:          def.Name,
		Description:   def.Description,
		FilterName:    def.Name,
		FilterPattern: def.Pattern,
		Metric: Metric{
			Namespace:    def.MetricNamespace,
			Name:         def.MetricName,
			Value:        def.MetricValue,
			DefaultValue: defaultValue,
		},
		Statistic:         def.Statistic,
		Period:            Duration{time.Duration(def.PeriodSeconds) * time.Second},
		EvaluationPeriods: def.EvaluationPeriods,
		Threshold:         &threshold,
		Comparison:        def.Comparison,
		TreatMissingData:  def.TreatMissingData,
		AlarmActions:      append([]string(nil), actions...),
	}
}

// apply sets what the override gives. An evaluationPeriods override without datapointsToAlarm
// leaves datapointsToAlarm to its default (= evaluationPeriods), as in an alarm of one's own.
func (o PresetOverride) apply(a *Alarm) {
	if o.Threshold != nil {
		v := *o.Threshold
		a.Threshold = &v
	}
	if o.Period.Duration != 0 {
		a.Period = o.Period
	}
	if o.EvaluationPeriods != 0 {
		a.EvaluationPeriods = o.EvaluationPeriods
	}
	if o.DatapointsToAlarm != 0 {
		a.DatapointsToAlarm = o.DatapointsToAlarm
	}
	if o.TreatMissingData != "" {
		a.TreatMissingData = o.TreatMissingData
	}
	if o.AlarmActions != nil {
		a.AlarmActions = append([]string(nil), o.AlarmActions...)
	}
}

// validatePresets checks spec.presets and returns the alarms they expand to.
func validatePresets(p *problems, s *MonitorSpec, topics map[string]bool) []presetAlarm {
	seen := map[string]int{}
	for i := range s.Presets {
		ref := &s.Presets[i]
		path := fmt.Sprintf("spec.presets[%d]", i)
		if j, dup := seen[ref.Name]; dup && ref.Name != "" {
			p.errorf(path+".name", ref.Name, "preset included twice (also spec.presets[%d]): its alarms would be created twice under the same names", j)
		}
		seen[ref.Name] = i
		validateActions(p, path+".alarmActions", ref.AlarmActions, topics)
		preset := lookupPreset(p, path, ref)
		if preset == nil {
			continue
		}
		validateExclude(p, path, ref, preset)
		validateOverrides(p, path, ref, preset, topics)
		if len(ref.AlarmActions) == 0 && len(ref.Exclude) < len(preset.Alarms) {
			p.warnf(path+".alarmActions", "", "the preset's alarms have no alarm actions: they change state in the console but tell no one")
		}
	}
	expanded := expandPresets(s)
	for _, pa := range expanded {
		if pa.path != fmt.Sprintf("spec.presets[%d]", pa.ref) {
			// Only an override can make a preset's settings invalid; report at the override.
			validatePeriods(p, pa.path, &pa.alarm)
		}
	}
	return expanded
}

// lookupPreset reports an entry naming no preset or version, and returns the preset otherwise.
func lookupPreset(p *problems, path string, ref *PresetRef) *presets.Preset {
	names := presets.Names()
	switch {
	case ref.Name == "":
		p.errorf(path+".name", "", "is required: one of %s", oneOf(names))
		return nil
	case len(presets.Versions(ref.Name)) == 0:
		p.errorf(path+".name", ref.Name, "names no preset kmswatch ships: %s", oneOf(names))
		return nil
	}
	versions := presets.Versions(ref.Name)
	if ref.Version == "" {
		p.errorf(path+".version", "", "is required: it pins the preset's alarms, which a later version may change (versions of %s: %s)", ref.Name, strings.Join(versions, ", "))
		return nil
	}
	preset, err := presets.Lookup(ref.Name, ref.Version)
	if err != nil {
		p.errorf(path+".version", ref.Version, "is not a version of preset %s (versions: %s)", ref.Name, strings.Join(versions, ", "))
		return nil
	}
	return preset
}

func validateExclude(p *problems, path string, ref *PresetRef, preset *presets.Preset) {
	seen := map[string]int{}
	for j, name := range ref.Exclude {
		ep := fmt.Sprintf("%s.exclude[%d]", path, j)
		if k, dup := seen[name]; dup {
			p.errorf(ep, name, "duplicate (also exclude[%d])", k)
			continue
		}
		seen[name] = j
		if _, ok := preset.Alarm(name); !ok {
			p.errorf(ep, name, "names no alarm of preset %s %s%s", preset.Name, preset.Version, alarmHint(name, preset))
		}
	}
	if len(seen) == len(preset.Alarms) && len(seen) > 0 {
		p.warnf(path+".exclude", "", "excludes every alarm of the preset, which then adds nothing")
	}
}

func validateOverrides(p *problems, path string, ref *PresetRef, preset *presets.Preset, topics map[string]bool) {
	keys := make([]string, 0, len(ref.Overrides))
	for k := range ref.Overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		o := ref.Overrides[name]
		op := mapKeyPath(path+".overrides", name)
		if _, ok := preset.Alarm(name); !ok {
			p.errorf(op, "", "names no alarm of preset %s %s%s", preset.Name, preset.Version, alarmHint(name, preset))
			continue
		}
		if contains(ref.Exclude, name) {
			p.errorf(op, "", "overrides an alarm that exclude leaves out")
			continue
		}
		if o.TreatMissingData != "" && !contains(treatMissingDataValues, o.TreatMissingData) {
			p.errorf(op+".treatMissingData", o.TreatMissingData, "must be %s", oneOf(treatMissingDataValues))
		}
		if o.AlarmActions != nil {
			validateActions(p, op+".alarmActions", o.AlarmActions, topics)
		}
	}
}

// alarmHint suggests the preset's alarm closest to a mistyped name, or lists them all.
func alarmHint(name string, preset *presets.Preset) string {
	best, bestD := "", 4
	for _, n := range preset.AlarmNames() {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return " (its alarms: " + strings.Join(preset.AlarmNames(), ", ") + ")"
}

// checkPresetClashes reports preset alarms whose alarm or metric filter name is one of the
// Monitor's own alarms', and a Monitor whose alarms, its own and its presets', exceed the log
// group's metric filter quota.
func checkPresetClashes(p *problems, s *MonitorSpec, expanded []presetAlarm) {
	if n := len(s.Alarms) + len(expanded); len(expanded) > 0 && n > MaxFiltersPerLogGroup {
		p.errorf("spec.presets", fmt.Sprint(n), "spec.alarms and the presets add up to more than %d alarms: each is a metric filter, and a log group holds at most %d", MaxFiltersPerLogGroup, MaxFiltersPerLogGroup)
	}
	for _, pa := range expanded {
		ref := fmt.Sprintf("spec.presets[%d]", pa.ref)
		for j, a := range s.Alarms {
			switch {
			case a.Name == pa.alarm.Name:
				p.errorf(ref, "", "includes alarm %s, which spec.alarms[%d] also names; rename that alarm or exclude %s from the preset", pa.alarm.Name, j, pa.alarm.Name)
			case a.FilterName == pa.alarm.FilterName:
				p.errorf(ref, "", "includes metric filter %s, which spec.alarms[%d] also names (filterName); rename it or exclude %s from the preset", pa.alarm.FilterName, j, pa.alarm.Name)
			}
		}
	}
}
