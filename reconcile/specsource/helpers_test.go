package specsource

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"

	"github.com/kmswatch/kmswatch/spec"
)

// monitorYAML is a valid one-Monitor spec named name.
func monitorYAML(name string) string {
	return fmt.Sprintf(`apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: %s}
spec:
  logGroup: {name: /kmswatch/%s}
  topics: [{name: ops}]
  alarms:
    - name: key-deletion
      filterPattern: '{($.eventSource = kms.amazonaws.com) && ($.eventName = ScheduleKeyDeletion)}'
      metric: {namespace: CISBenchmark, name: KMSKeyDeletion}
      period: 5m
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [ops]
`, name, name)
}

// invalidYAML has a misspelt field.
const invalidYAML = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: broken}
spec:
  logGroup: {name: /kmswatch/broken}
  alarms:
    - name: a
      filterPattern: '{ $.eventSource = kms.amazonaws.com }'
      metric: {namespace: N, name: M}
      period: 5m
      thresold: 1
`

func loadSpec(data []byte, name string) (*spec.File, error) { return spec.LoadBytes(data, name) }

// monitorNames of the spec in force.
func monitorNames(l *Loaded[*spec.File]) string {
	var names []string
	for _, m := range l.Spec.Monitors {
		names = append(names, m.Metadata.Name)
	}
	return strings.Join(names, ",")
}

// lines collects log lines.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) logger() logr.Logger {
	return funcr.New(func(_, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.l = append(l.l, args)
	}, funcr.Options{})
}

func (l *lines) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.l
	l.l = nil
	return out
}

func hasLine(ls []string, substr string) bool {
	for _, s := range ls {
		if strings.Contains(s, substr) {
			return true
		}
	}
	return false
}

func newWatcher(t *testing.T, src Source, log *lines) *Watcher[*spec.File] {
	t.Helper()
	w, err := NewWatcher(src, loadSpec, Options{Log: log.logger()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}
