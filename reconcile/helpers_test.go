package reconcile

import (
	"context"
	"fmt"
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

// regionMonitor is a whole chain in one region: trail (single-region, so that another region
// may hold a trail of its own), log group, topic, alarm. %[1]s is the name, %[2]s the
// spec.region line.
const regionMonitor = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: %[1]s}
spec:
%[2]s  trail: {name: %[1]s-trail, s3BucketName: bucket, cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/r", multiRegion: false}
  logGroup: {name: %[1]s-lg, retentionInDays: 30}
  topics: [{name: %[1]s-topic, subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]}]
  alarms:
    - name: %[1]s-alarm
      filterPattern: '{ $.eventSource = "kms.amazonaws.com" }'
      metric: {namespace: NS, name: %[1]s}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [%[1]s-topic]
`

func regionYAML(name, region string) string {
	line := ""
	if region != "" {
		line = "  region: " + region + "\n"
	}
	return fmt.Sprintf(regionMonitor, name, line)
}

func reconcile(t *testing.T, c *Controller, ms []spec.Monitor, dryRun bool) *Result {
	t.Helper()
	res, err := c.Reconcile(context.Background(), ms, dryRun)
	if err != nil {
		t.Fatalf("reconcile (dryRun=%v): %v", dryRun, err)
	}
	return res
}

func requireAllNoop(t *testing.T, r *Result) {
	t.Helper()
	for _, c := range r.Changes {
		if c.Action != ActionNoop {
			t.Errorf("%s: action %s %v %s, want noop", c.ID, c.Action, c.Changes, c.Message)
		}
	}
}

func findChange(r *Result, id string) *Change {
	for i := range r.Changes {
		if r.Changes[i].ID == id {
			return &r.Changes[i]
		}
	}
	return nil
}

// actionsIn maps each resource id of a region ("": the default one) to its action.
func actionsIn(r *Result, region string) map[string]Action {
	out := map[string]Action{}
	for _, c := range r.Changes {
		if c.Region == region {
			out[c.ID] = c.Action
		}
	}
	return out
}
