package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// TestBadSpecs loads each file of testdata/bad and expects exactly the named problem: its field
// path and a part of its message (which includes the offending value where there is one).
func TestBadSpecs(t *testing.T) {
	cases := []struct {
		file, path, msg string
	}{
		{"bad-filter-pattern", "spec.alarms[0].filterPattern", `syntax error at offset 56 (") && ($.errorCode = ▶) }"): expected a value`},
		{"bad-alarm-name-as-filter", "spec.alarms[0].filterName", "it defaults to the alarm name"},
		{"aws-log-group", "spec.logGroup.name", "must not start with aws/ (reserved for AWS services), got aws/example"},
		{"bad-api-version", "apiVersion", "must be kmswatch.dev/v1alpha1, got kmswatch.dev/v1"},
		{"bad-bool", "spec.trail.multiRegion", "must be true or false, got maybe"},
		{"bad-bucket", "spec.trail.s3BucketName", "must be an S3 bucket name"},
		{"bad-comparison", "spec.alarms[0].comparison", "got GreaterOrEqual"},
		{"bad-deletion-policy", "spec.logGroup.deletionPolicy", "must be Retain or Delete, got Orphan"},
		{"bad-duration", "spec.alarms[0].period", "a bare number has no unit), got 60"},
		// Not an email address, so not known to be free of secrets: shown by its digest only.
		{"bad-email", "spec.topics[0].subscriptions[0].endpoint", "must be an email address such as secops@example.com, got REDACTED#501c49"},
		{"bad-event-name", "spec.alarms[0].match.eventNames[0]", "must be an API action name such as Decrypt, got kms:Decrypt"},
		{"bad-filter-name", "spec.alarms[0].filterName", "must not contain ':' or '*'"},
		{"bad-https", "spec.topics[0].subscriptions[0].endpoint", "must be an absolute https:// URL, got http://hooks.example.com/kms"},
		{"bad-https-credentials", "spec.topics[0].subscriptions[0].endpoint", "must be an absolute https:// URL, got http://REDACTED@pager.example.com/sns#bcad4f"},
		{"bad-kind", "kind", "must be Monitor, got Alarm"},
		{"bad-kms-key", "spec.trail.kmsKeyId", "got my-key"},
		{"bad-log-group", "spec.logGroup.name", `got "example loggroup"`},
		{"bad-metric-namespace", "spec.alarms[0].metric.namespace", "must not start with AWS/"},
		{"bad-metric-value", "spec.alarms[0].metric.value", "got one"},
		{"bad-monitor-name", "metadata.name", "lower-case letters, digits and '-'"},
		{"bad-period", "spec.alarms[0].period", "must be 10s, 20s, 30s or a multiple of 60s, got 45s"},
		{"bad-principal", "spec.alarms[0].match.principalArn", "must be an IAM role or user ARN"},
		{"bad-protocol", "spec.topics[0].subscriptions[0].protocol", "got slack"},
		{"bad-region", "spec.region", "must be an AWS region such as ap-southeast-2, got Sydney"},
		{"bad-retention", "spec.logGroup.retentionInDays", "got 10"},
		{"bad-role-arn", "spec.trail.cloudWatchLogsRoleArn", "must be an IAM role ARN"},
		{"bad-sms", "spec.topics[0].subscriptions[0].endpoint", "E.164"},
		{"bad-sqs", "spec.topics[0].subscriptions[0].endpoint", "must be an SQS queue ARN"},
		{"bad-statistic", "spec.alarms[0].statistic", "got p99"},
		{"bad-topic-arn", "spec.alarms[0].alarmActions[0]", "must be an SNS topic ARN"},
		{"bad-topic-name", "spec.topics[0].name", "got example.topic"},
		{"bad-trail-name", "spec.trail.name", "must not have adjacent"},
		{"bad-treat-missing", "spec.alarms[0].treatMissingData", "got NotBreaching"},
		{"dangling-action", "spec.alarms[0].alarmActions[0]", "names no topic of this Monitor (spec.topics) and is not an SNS topic ARN, got exmaple-topic"},
		{"datapoints-over-periods", "spec.alarms[0].datapointsToAlarm", "must not exceed evaluationPeriods (2), got 3"},
		{"duplicate-alarm", "spec.alarms[1].name", "duplicate alarm name"},
		{"duplicate-key", "spec.alarms[0].threshold", "duplicate key"},
		{"duplicate-topic", "spec.topics[1].name", "duplicate topic name"},
		{"empty-match", "spec.alarms[0].match", "has no clause"},
		{"endpoint-and-endpoint-from", "spec.topics[0].subscriptions[0]", "give endpoint or endpointFrom, not both"},
		{"endpoint-from-bad-env", "spec.topics[0].subscriptions[0].endpointFrom.env", "must be an environment variable name: letters, digits and '_', not starting with a digit, got ONCALL-WEBHOOK-URL"},
		{"endpoint-from-bad-value", "spec.topics[0].subscriptions[0].endpointFrom.env", "the value of KMSWATCH_TEST_HTTP_URL must be an absolute https:// URL, got http://REDACTED@hooks.example.com/sns#"},
		{"endpoint-from-empty", "spec.topics[0].subscriptions[0].endpointFrom.env", "environment variable KMSWATCH_TEST_EMPTY is set but empty"},
		{"endpoint-from-newline", "spec.topics[0].subscriptions[0].endpointFrom.env", "the value of KMSWATCH_TEST_NEWLINE has leading or trailing white space (a newline from a file?), got REDACTED#"},
		{"endpoint-from-no-env", "spec.topics[0].subscriptions[0].endpointFrom.env", "is required: the name of the environment variable that holds the endpoint"},
		{"endpoint-from-unset", "spec.topics[0].subscriptions[0].endpointFrom.env", "environment variable KMSWATCH_TEST_UNSET is not set"},
		{"errors-and-success", "spec.alarms[0].match.successOnly", "match nothing"},
		{"fifo-topic", "spec.topics[0].name", "FIFO"},
		{"match-and-pattern", "spec.alarms[0].filterPattern", "either match or filterPattern, not both"},
		{"missing-threshold", "spec.alarms[0].threshold", "is required"},
		{"neither-match-nor-pattern", "spec.alarms[0]", "needs match or filterPattern"},
		{"not-a-mapping", "", "document must be a mapping"},
		{"period-too-long-total", "spec.alarms[0].evaluationPeriods", "at most 1 day (86400s), here 1m × 1441"},
		{"too-many-actions", "spec.alarms[0].alarmActions", "at most 5 actions per list, got 6"},
		{"trail-name-ip", "spec.trail.name", "must not look like an IP address"},
		{"unknown-field", "spec.alarms[0].thresold", "unknown field (did you mean threshold?)"},
		{"wrong-type-list", "spec.alarms[0].alarmActions", "must be a list, got example-topic"},
		{"wrong-type-threshold", "spec.alarms[0].threshold", "must be a number, got one"},
		{"zero-evaluation-periods", "spec.alarms[0].evaluationPeriods", "must be at least 1, got 0"},
		{"bad-account", "spec.alarms[0].match.accounts[0]", "must be an AWS account id: 12 digits, quoted so that YAML keeps leading zeros, got 11112222333"},
		{"bad-organization", "spec.trail.organization", `must be true or false, got "all accounts"`},
		{"preset-dangling-action", "spec.presets[0].alarmActions[0]", "names no topic of this Monitor (spec.topics) and is not an SNS topic ARN, got sec-ops"},
		{"preset-missing-version", "spec.presets[0].version", "is required: it pins the preset's alarms, which a later version may change (versions of cis-aws-foundations: 1)"},
		{"preset-name-clash", "spec.presets[0]", "includes alarm cis-cloudwatch-7-cmk-disable-or-deletion, which spec.alarms[0] also names"},
		{"preset-override-datapoints", "spec.presets[0].overrides.cis-cloudwatch-1-root-user-usage.datapointsToAlarm", "must not exceed evaluationPeriods (1), got 3"},
		{"preset-override-excluded", "spec.presets[0].overrides.cis-cloudwatch-3-console-signin-without-mfa", "overrides an alarm that exclude leaves out"},
		{"preset-override-period", "spec.presets[0].overrides.cis-cloudwatch-7-cmk-disable-or-deletion.period", "must be 10s, 20s, 30s or a multiple of 60s, got 45s"},
		{"preset-override-threshold-type", "spec.presets[0].overrides.cis-cloudwatch-5-cloudtrail-changes.threshold", "must be a number, got high"},
		{"preset-override-treat-missing", "spec.presets[0].overrides.cis-cloudwatch-5-cloudtrail-changes.treatMissingData", "got NotBreaching"},
		{"preset-override-unknown-field", "spec.presets[0].overrides.cis-cloudwatch-5-cloudtrail-changes.filterPattern", "unknown field"},
		{"preset-twice", "spec.presets[1].name", "preset included twice (also spec.presets[0])"},
		{"preset-unknown-exclude", "spec.presets[0].exclude[0]", "names no alarm of preset cis-aws-foundations 1 (its alarms: cis-cloudwatch-1-root-user-usage,"},
		{"preset-unknown-name", "spec.presets[0].name", "names no preset kmswatch ships: cis-aws-foundations, got cis-aws"},
		{"preset-unknown-override", "spec.presets[0].overrides.cis-cloudwatch-7-cmk-disable-or-delete", "(did you mean cis-cloudwatch-7-cmk-disable-or-deletion?)"},
		{"preset-unknown-version", "spec.presets[0].version", "is not a version of preset cis-aws-foundations (versions: 1), got 1.4.0"},
	}
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d files in testdata/bad, %d cases: every bad file needs its expected problem", len(files), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := LoadOptions{LookupEnv: fixtureEnv}.Load("testdata/bad/" + tc.file + ".yaml")
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("want an ErrorList, got %v", err)
			}
			if len(list) != 1 {
				t.Errorf("want exactly one problem, got %d:\n%v", len(list), err)
			}
			e := list[0]
			if e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %q\nwant path %q and message containing %q", e.Error(), tc.path, tc.msg)
			}
			file := "testdata/bad/" + tc.file + ".yaml"
			if e.File != file || e.Doc != 1 {
				t.Errorf("want file %s document 1, got %q document %d", file, e.File, e.Doc)
			}
			if !strings.HasPrefix(err.Error(), file+": document 1: "+tc.path) {
				t.Errorf("error text %q does not start with file, document and path", err)
			}
			if leaks := redacttest.Leaks(err.Error() + e.Value); len(leaks) > 0 {
				t.Errorf("the problem shows the secrets %q: %v (value %q)", leaks, err, e.Value)
			}
		})
	}
}

// fixtureEnv is the environment the bad fixtures are loaded in: the variables they name are
// set (or not) here, never in the process environment.
func fixtureEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"KMSWATCH_TEST_EMPTY":    "",
		"KMSWATCH_TEST_HTTP_URL": "http://user:PASSWORD456@hooks.example.com/sns",
		"KMSWATCH_TEST_NEWLINE":  "https://events.example.com/integration/amazonsns?apiKey=SECRETKEY123\n",
	}[name]
	return v, ok
}

// TestAllProblemsReported: one run reports every problem of every document, one per line.
func TestAllProblemsReported(t *testing.T) {
	_, err := Load("testdata/several-problems.yaml")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	want := []string{
		"testdata/several-problems.yaml: document 1: spec.alarms[0].thresold: unknown field (did you mean threshold?)",
		"testdata/several-problems.yaml: document 1: spec.alarms[1].period: must be a duration such as 60s or 5m, got soon",
		"testdata/several-problems.yaml: document 2: spec.logGroup.retentionInDays: must be one of CloudWatch Logs' values",
		"testdata/several-problems.yaml: document 2: spec.topics[0].subscriptions[0].endpoint: must be a phone number in E.164 form, such as +61400000000, got 0400000000",
		"testdata/several-problems.yaml: document 2: spec.alarms[0].period: must be 10s, 20s, 30s or a multiple of 60s, got 45s",
		"testdata/several-problems.yaml: document 2: spec.alarms[0].alarmActions[0]: names no topic of this Monitor",
		"testdata/several-problems.yaml: document 2: spec.alarms[1].name: duplicate alarm name (also spec.alarms[0]), got denied",
		"testdata/several-problems.yaml: document 3: metadata.name: Monitor name already claimed by Monitor \"second\" (document 2)",
		"testdata/several-problems.yaml: document 3: spec.logGroup.name: log group already claimed by Monitor \"second\" (document 2)",
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) || len(list) != len(want) {
		t.Fatalf("want %d problems, got %d:\n%v", len(want), len(lines), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d:\n got %s\nwant %s…", i, lines[i], w)
		}
	}
}

func TestGoodSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) < 3 {
		t.Fatalf("want good fixtures, found %v", files)
	}
	for _, f := range files {
		got, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(got.Monitors) == 0 {
			t.Errorf("%s: no monitors", f)
		}
	}
}

func TestMultipleDocuments(t *testing.T) {
	got, err := Load("testdata/good/multi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got.Monitors {
		names = append(names, m.Metadata.Name)
	}
	if strings.Join(names, ",") != "team-a,team-b" {
		t.Errorf("monitors %v, want team-a,team-b", names)
	}
	if len(got.Warnings) != 1 || got.Warnings[0].Path != "spec.alarms[0].actionsEnabled" || got.Warnings[0].Doc != 2 {
		t.Errorf("want the actionsEnabled warning of document 2, got %v", got.Warnings)
	}
}

func TestNoMonitorDocument(t *testing.T) {
	for name, text := range map[string]string{
		"empty":         "",
		"comments only": "# nothing here\n---\n# nor here\n",
		"separators":    "---\n---\n",
	} {
		_, err := LoadBytes([]byte(text), "m.yaml")
		if err == nil || !strings.Contains(err.Error(), "no Monitor document") {
			t.Errorf("%s: want 'no Monitor document', got %v", name, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	var list ErrorList
	if err == nil || errors.As(err, &list) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("want a plain not-exist error, got %v", err)
	}
}
