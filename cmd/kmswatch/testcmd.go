package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kmswatch/kmswatch/spec"
)

// runTest is `kmswatch test -f FILE --events FILE|DIR [--output text|json]`: which alarms'
// metric filters match which CloudTrail events, decided offline as CloudWatch Logs would.
// Exit 0 when it ran, 3 for an invalid spec or usage, 1 when the events cannot be read.
// Nothing it prints shows an endpoint's secret: spec problems come as display forms, and
// errors pass through a Redactor that knows the monitors' endpoints.
func runTest(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "monitor.yaml whose alarms to test")
	var events listFlag
	fs.Var(&events, "events", "CloudTrail events: a {\"Records\":[...]} file, JSON lines, or a directory of them (repeatable)")
	output := fs.String("output", "text", "text or json (one JSON object per event)")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if *file == "" || len(events) == 0 || fs.NArg() > 0 || (*output != "text" && *output != "json") {
		fmt.Fprintln(stderr, "usage: kmswatch test -f FILE --events FILE|DIR [--output text|json]")
		return exitInvalid
	}
	// Endpoints play no part in matching: a variable that is not set here is a warning.
	f, code := loadSpec(*file, spec.LoadOptions{AllowUnsetEnv: true}, stderr)
	if f == nil {
		return code
	}
	// An error may quote an event's text, and an event (an SNS Subscribe call, say) may hold
	// one of the monitors' endpoints.
	red := endpointRedactor(f)
	evs, err := spec.ReadEventFiles(events)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", red.Error(err))
		return exitFailed
	}
	matcher, err := spec.NewMatcher(f.Monitors)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", red.Error(err))
		return exitInvalid
	}
	results := matcher.MatchEvents(evs)
	enc := json.NewEncoder(stdout)
	for i, r := range results {
		if *output == "json" {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintf(stderr, "kmswatch: write result: %v\n", red.Error(err))
				return exitFailed
			}
			continue
		}
		matches := "no alarm"
		if len(r.Matches) > 0 {
			matches = strings.Join(r.Matches, ", ")
		}
		fmt.Fprintf(stdout, "%d %s (%s#%d): %s\n", r.Index, orDash(r.EventName), evs[i].Source, evs[i].Position, matches)
	}
	return exitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
