package reconcile_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// examples/iam-policy.json is least privilege for exactly the calls kmswatch makes. This test
// runs the whole scenario suite against the emulator, maps every call the controllers made to
// the IAM actions it needs, and checks that the policy grants each of them — on a resource that
// matches what kmswatch touches — and nothing else.

const policyPath = "../examples/iam-policy.json"

// impliedActions are the extra IAM actions a call needs beyond its own name: kmswatch creates
// every resource with its ownership tags, and the trail with the role CloudTrail assumes to
// write into the log group.
var impliedActions = map[string][]string{
	// PutMetricAlarm with Tags needs cloudwatch:TagResource as well.
	"cloudwatch:PutMetricAlarm": {"cloudwatch:TagResource"},
	// CreateLogGroup with tags needs logs:TagResource as well.
	"logs:CreateLogGroup": {"logs:TagResource"},
	// CreateTopic with Tags needs sns:TagResource as well.
	"sns:CreateTopic": {"sns:TagResource"},
	// CreateTrail with TagsList needs cloudtrail:AddTags; CreateTrail and UpdateTrail with
	// CloudWatchLogsRoleArn need iam:PassRole on that role.
	"cloudtrail:CreateTrail": {"cloudtrail:AddTags", "iam:PassRole"},
	"cloudtrail:UpdateTrail": {"iam:PassRole"},
}

// notInPolicy are calls kmswatch makes that need no IAM permission.
var notInPolicy = map[string]string{
	// "No permissions are required to perform this operation" (STS API reference); ResolveEnv
	// calls it when no account id is configured.
	"sts:GetCallerIdentity": "needs no permission",
}

// justifiedExtras are actions the policy grants that the scenario suite does not happen to
// exercise, each with the reason it is there. Keep it empty when possible.
var justifiedExtras = map[string]string{}

// resourceOf is a sample ARN of what each service's writes touch, in the examples' account.
var resourceOf = map[string][]string{
	"cloudwatch": {"arn:aws:cloudwatch:ap-southeast-2:111122223333:alarm:pattern1-logging-alarm"},
	"logs":       {"arn:aws:logs:ap-southeast-2:111122223333:log-group:pattern1-logging-loggroup"},
	"cloudtrail": {"arn:aws:cloudtrail:ap-southeast-2:111122223333:trail/pattern1-logging-trail"},
	"sns": {"arn:aws:sns:ap-southeast-2:111122223333:pattern1-logging-topic",
		"arn:aws:sns:ap-southeast-2:111122223333:pattern1-logging-topic:0f4a3c1e-8c1f-4a8e-9d7a-1c2b3d4e5f60"},
	"s3": {"arn:aws:s3:::pattern1-kmswatch-state/kmswatch/lease.json"}, // the lease object: the one S3 write
}

type policyDoc struct {
	Version   string
	Statement []policyStatement
}

type policyStatement struct {
	Sid       string
	Effect    string
	Action    stringOrList
	Resource  stringOrList
	Condition map[string]map[string]stringOrList
}

// stringOrList reads IAM's "a string or a list of strings".
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

func readPolicy(t *testing.T) policyDoc {
	t.Helper()
	data, err := os.ReadFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	var p policyDoc
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", policyPath, err)
	}
	return p
}

// iamMatch is IAM's wildcard match: '*' any run of characters (':' and '/' included), '?' any one.
func iamMatch(pattern, s string) bool {
	for pattern != "" {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if iamMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

// requiredActions runs every scenario against the emulator and returns the IAM actions that the
// controllers' calls need, and those of the lease and the S3 spec source
// (iampolicy_s3_test.go checks the resources of those).
func requiredActions(t *testing.T) map[string]bool {
	sink := &callLog{}
	t.Run("suite", func(t *testing.T) { runScenarios(t, emuBackend{}, allScenarios(), sink) })
	if t.Failed() {
		t.FailNow()
	}
	need := map[string]bool{}
	leaseLoc, specLoc := ecsS3Locations(t)
	_, s3Uses := leaseAndSpecS3Uses(t, leaseLoc, specLoc)
	for _, u := range s3Uses {
		need[u.action] = true
	}
	for key := range sink.snapshot() {
		if _, ok := notInPolicy[key]; ok {
			continue
		}
		need[key] = true
		for _, a := range impliedActions[key] {
			need[a] = true
		}
	}
	return need
}

func TestIAMPolicyIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	need := requiredActions(t)
	p := readPolicy(t)
	if p.Version != "2012-10-17" {
		t.Errorf("Version %q, want 2012-10-17", p.Version)
	}

	granted := map[string][]policyStatement{}
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			t.Errorf("statement %s: effect %s, want Allow", st.Sid, st.Effect)
		}
		for _, a := range st.Action {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("statement %s: wildcard action %s", st.Sid, a)
			}
			granted[a] = append(granted[a], st)
		}
	}

	var missing, extra []string
	for a := range need {
		if len(granted[a]) == 0 {
			missing = append(missing, a)
		}
	}
	for a := range granted {
		if !need[a] && justifiedExtras[a] == "" {
			extra = append(extra, a)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("the policy does not grant actions kmswatch needs: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("the policy grants actions kmswatch never needed in the scenario suite: %v", extra)
	}
	t.Logf("%d actions needed, all granted", len(need))

	// Writes are scoped to their resource type, never "*"; the scope covers what kmswatch
	// writes.
	for a, sts := range granted {
		service, op := splitKey(a)
		if service == "iam" || awsop.ReadOnly(service, op) {
			continue
		}
		for _, st := range sts {
			if slices.Contains(st.Resource, "*") {
				t.Errorf("statement %s grants the write %s on every resource", st.Sid, a)
			}
			for _, arn := range resourceOf[service] {
				if !slices.ContainsFunc(st.Resource, func(r string) bool { return iamMatch(r, arn) }) {
					t.Errorf("statement %s: %s is not granted on %s", st.Sid, a, arn)
				}
			}
		}
	}
}

// TestIAMPolicyPassRole: iam:PassRole is granted only on the trail's role, and only to be passed
// to CloudTrail; that role is the one every example names.
func TestIAMPolicyPassRole(t *testing.T) {
	p := readPolicy(t)
	var pass []policyStatement
	for _, st := range p.Statement {
		if slices.Contains(st.Action, "iam:PassRole") {
			pass = append(pass, st)
		}
	}
	if len(pass) != 1 {
		t.Fatalf("%d statements grant iam:PassRole, want 1", len(pass))
	}
	st := pass[0]
	if len(st.Action) != 1 {
		t.Errorf("the PassRole statement also grants %v", st.Action)
	}
	if len(st.Resource) != 1 || strings.ContainsAny(st.Resource[0], "*?") || !strings.HasPrefix(st.Resource[0], "arn:aws:iam::") {
		t.Errorf("PassRole resource %v, want the one role ARN", st.Resource)
	}
	if got := st.Condition["StringEquals"]["iam:PassedToService"]; !slices.Equal(got, []string{"cloudtrail.amazonaws.com"}) {
		t.Errorf("PassRole condition %v, want StringEquals iam:PassedToService cloudtrail.amazonaws.com", st.Condition)
	}
	for _, file := range examples {
		for _, m := range load(t, filepath.Join("..", "examples", file)) {
			if tr := m.Spec.Trail; tr != nil && !slices.ContainsFunc(st.Resource, func(r string) bool { return iamMatch(r, tr.CloudWatchLogsRoleArn) }) {
				t.Errorf("%s: the trail's role %s cannot be passed under the policy", file, tr.CloudWatchLogsRoleArn)
			}
		}
	}
}
