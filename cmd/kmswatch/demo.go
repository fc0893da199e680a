package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kmswatch/kmswatch/reconcile/demo"
)

// runDemo is `kmswatch demo`: the lab end to end against the embedded emulator.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kmswatch demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kmswatch demo: unexpected argument %q\n", fs.Arg(0))
		return exitInvalid
	}
	if err := demo.Run(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "kmswatch demo: %v\n", err)
		return exitFailed
	}
	return exitOK
}
