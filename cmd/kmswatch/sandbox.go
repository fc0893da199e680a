package main

import (
	"context"
	"errors"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/daemon"
)

// openSandbox starts the embedded emulator. It is wired once reconcile/awsemu exists.
func openSandbox(_ context.Context, _ string, _ daemon.Spec, _ logr.Logger) (*backend, error) {
	return nil, errors.New("--sandbox: the embedded emulator is not part of this build yet")
}
