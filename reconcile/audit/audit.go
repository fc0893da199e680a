package audit

import (
	"context"
	"strings"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// Status is a control's outcome.
type Status string

// The outcomes: the control passes, fails, or could not be decided because a read failed.
const (
	Pass  Status = "PASS"
	Fail  Status = "FAIL"
	Error Status = "ERROR"
)

// Row is one control's outcome, with the reason and, as far as the chain reached, the resources
// that make it up (for a PASS, the whole chain).
type Row struct {
	Control      string `json:"control"`
	Title        string `json:"title"`
	Status       Status `json:"status"`
	Reason       string `json:"reason"`
	Region       string `json:"region,omitempty"`
	Trail        string `json:"trail,omitempty"`
	LogGroup     string `json:"logGroup,omitempty"`
	MetricFilter string `json:"metricFilter,omitempty"`
	Alarm        string `json:"alarm,omitempty"`
	Topic        string `json:"topic,omitempty"`
}

// Report is the audit of an account: one row per control, CloudWatch.1 to CloudWatch.14.
type Report struct {
	Rows []Row
}

// Exit codes of `kmswatch audit`.
const (
	ExitPass       = 0 // every control passes
	ExitUnreadable = 1 // a read failed, so some control could not be decided
	ExitFail       = 2 // some control fails
)

// ExitCode is 1 if any control could not be decided, else 2 if any fails, else 0.
func (r *Report) ExitCode() int {
	code := ExitPass
	for _, row := range r.Rows {
		switch row.Status {
		case Error:
			return ExitUnreadable
		case Fail:
			code = ExitFail
		}
	}
	return code
}

// Counts returns how many controls passed, failed and could not be decided.
func (r *Report) Counts() (pass, fail, unreadable int) {
	for _, row := range r.Rows {
		switch row.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		default:
			unreadable++
		}
	}
	return pass, fail, unreadable
}

// Run audits the regions against Security Hub's controls CloudWatch.1 to CloudWatch.14, reading
// only. A control passes if it passes in any of the regions (CIS asks for one multi-region trail
// with the filters and alarms, wherever it is homed); otherwise its reason gives each region's.
// A region that cannot be read makes its controls ERROR unless another region passes them.
func Run(ctx context.Context, regions []Region) *Report {
	results := make([]regionResult, len(regions))
	for i, r := range regions {
		snap, err := observe(ctx, r.Name, r.Clients)
		results[i] = regionResult{r.Name, snap, err}
	}
	return decide(results)
}

// regionResult is a region read, or the error that stopped the read.
type regionResult struct {
	name string
	snap *snapshot
	err  error
}

// decide turns the regions' snapshots into the report; it is pure.
func decide(results []regionResult) *Report {
	report := &Report{}
	for _, c := range presets.CISControls() {
		row := Row{Control: c.ID, Title: c.Title, Status: Fail}
		var reasons []string
		unreadable := false
		for _, res := range results {
			if res.err != nil {
				unreadable = true
				reasons = append(reasons, res.name+": "+res.err.Error())
				continue
			}
			v := check(res.snap, c)
			if v.stage == stagePass {
				row = v.row
				row.Control, row.Title, row.Status, row.Reason = c.ID, c.Title, Pass, res.name+": "+v.reason
				reasons = nil
				break
			}
			unreadable = unreadable || v.err
			reasons = append(reasons, res.name+": "+v.reason)
			if len(results) == 1 {
				row = v.row
				row.Control, row.Title, row.Status = c.ID, c.Title, Fail
			}
		}
		if row.Status != Pass {
			row.Reason = strings.Join(reasons, "; ")
			if unreadable {
				row.Status = Error
			}
		}
		report.Rows = append(report.Rows, row)
	}
	return report
}
