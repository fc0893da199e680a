package reconcile

import (
	"testing"

	"github.com/kmswatch/kmswatch/spec"
)

func loadMonitors(t *testing.T, path string) []spec.Monitor {
	t.Helper()
	f, err := spec.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return f.Monitors
}

func loadYAML(t *testing.T, y string) []spec.Monitor {
	t.Helper()
	f, err := spec.LoadBytes([]byte(y), "test.yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f.Monitors
}
