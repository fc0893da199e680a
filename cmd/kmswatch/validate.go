package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kmswatch/kmswatch/spec"
)

// runValidate is `kmswatch validate -f FILE [--expand]`: load and validate offline. Exit 0 when
// valid (warnings on stderr), 3 when invalid, with one problem per line on stderr. With --expand,
// stdout is the Monitors as they will be applied — presets expanded into alarms, defaults set — as
// YAML that loads again to the same Monitors; the summary line goes to stderr.
func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "monitor.yaml to validate")
	expand := fs.Bool("expand", false, "print the Monitors as they will be applied (presets expanded, defaults set) as YAML")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: kmswatch validate -f FILE [--expand]")
		return exitInvalid
	}
	f, code := loadSpec(*file, stderr)
	if f == nil {
		return code
	}
	alarms := 0
	for _, m := range f.Monitors {
		alarms += len(m.Spec.Alarms)
	}
	summary := stdout
	if *expand {
		if err := writeExpanded(stdout, *file, f.Monitors); err != nil {
			fmt.Fprintf(stderr, "kmswatch: %v\n", err)
			return exitFailed
		}
		summary = stderr
	}
	fmt.Fprintf(summary, "%s: valid: %d monitor(s), %d alarm(s), %d warning(s)\n", *file, len(f.Monitors), alarms, len(f.Warnings))
	return exitOK
}

// loadSpec loads a spec for an offline command, printing warnings, or the problems and the exit
// code when it is invalid or unreadable.
func loadSpec(path string, stderr io.Writer) (*spec.File, int) {
	f, err := spec.Load(path)
	var list spec.ErrorList
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "%s: invalid: %d problem(s)\n", path, len(list))
		return nil, exitInvalid
	case err != nil:
		fmt.Fprintf(stderr, "kmswatch: %v\n", err)
		return nil, exitInvalid
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w.Error())
	}
	return f, exitOK
}
