package presets

import (
	"fmt"
	"sort"
	"strings"
)

// Preset is a named, versioned set of alarms shipped with kmswatch. A version never changes once
// released: its alarm, metric filter and metric names, patterns and settings are fixed, because a
// renamed alarm or filter is a delete and a create in every account that includes it. A change
// ships as a new version.
type Preset struct {
	Name        string
	Version     string
	Description string
	Alarms      []Alarm
}

// Alarm is one alarm of a preset and the metric filter that feeds it. Its fields are what
// spec.Alarm needs; spec turns it into an ordinary alarm of the Monitor that includes the preset.
type Alarm struct {
	// Name is the alarm's name and its metric filter's name.
	Name string
	// Control is the compliance control the alarm exists for, e.g. "CloudWatch.7".
	Control     string
	Description string
	// Pattern is the metric filter pattern, sent to CloudWatch Logs byte for byte.
	Pattern         string
	MetricNamespace string
	MetricName      string
	// MetricValue is what each matching event adds; DefaultValue is published for minutes
	// with events but no match (nil: none).
	MetricValue       string
	DefaultValue      *float64
	Statistic         string
	PeriodSeconds     int
	EvaluationPeriods int
	Threshold         float64
	Comparison        string
	TreatMissingData  string
}

// all is every preset version kmswatch ships.
var all = []*Preset{cisV1}

// Lookup returns the preset of that name and version, or an error that lists what exists.
func Lookup(name, version string) (*Preset, error) {
	versions := Versions(name)
	if len(versions) == 0 {
		return nil, fmt.Errorf("no preset named %q (presets: %s)", name, strings.Join(Names(), ", "))
	}
	for _, p := range all {
		if p.Name == name && p.Version == version {
			return p, nil
		}
	}
	return nil, fmt.Errorf("preset %s has no version %q (versions: %s)", name, version, strings.Join(versions, ", "))
}

// Names lists the presets' names, sorted.
func Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range all {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Versions lists the versions of the preset called name, in release order (nil if none).
func Versions(name string) []string {
	var out []string
	for _, p := range all {
		if p.Name == name {
			out = append(out, p.Version)
		}
	}
	return out
}

// AllVersions lists every version string of every preset, sorted and without repeats: what
// monitor.schema.json offers an editor.
func AllVersions() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range all {
		if !seen[p.Version] {
			seen[p.Version] = true
			out = append(out, p.Version)
		}
	}
	sort.Strings(out)
	return out
}

// Alarm returns the preset's alarm called name.
func (p *Preset) Alarm(name string) (Alarm, bool) {
	for _, a := range p.Alarms {
		if a.Name == name {
			return a, true
		}
	}
	return Alarm{}, false
}

// AlarmNames lists the preset's alarm names in its order.
func (p *Preset) AlarmNames() []string {
	out := make([]string, len(p.Alarms))
	for i, a := range p.Alarms {
		out[i] = a.Name
	}
	return out
}
