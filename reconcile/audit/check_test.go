package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// What moto cannot build (an unconfirmed subscription, advanced selectors as AWS reports them, a
// trail homed elsewhere, an unreadable topic) is checked here on snapshots.

const topicARN = "arn:aws:sns:eu-west-1:111122223333:cis"

func cw7() presets.Control { return presets.CISControls()[6] }

// compliant is a snapshot in which every control passes.
func compliant() *snapshot {
	s := &snapshot{region: "eu-west-1", filters: map[string][]filterView{}, topics: map[string]topicView{
		topicARN: {exists: true, confirmed: 1, firstConfirmed: "sqs:arn:aws:sqs:eu-west-1:111122223333:q"}}}
	s.trails = []trailView{{name: "t", multiRegion: true, logging: true, logGroup: "g"}}
	for _, c := range presets.CISControls() {
		s.filters["g"] = append(s.filters["g"], filterView{name: c.AlarmName(), pattern: c.Pattern, namespace: "CIS", metric: c.AlarmName()})
		s.alarms = append(s.alarms, alarmView{name: c.AlarmName(), namespace: "CIS", metric: c.AlarmName(), actions: []string{"arn:aws:automate:eu-west-1:ec2:stop", topicARN}})
	}
	return s
}

func TestCheckSnapshots(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(s *snapshot)
		stage  int
		reason string
	}{
		{"compliant", func(*snapshot) {}, stagePass, "trail t → log group g → metric filter cis-cloudwatch-7-cmk-disable-or-deletion → alarm cis-cloudwatch-7-cmk-disable-or-deletion → topic " + topicARN},
		{"subscription pending", func(s *snapshot) { s.topics[topicARN] = topicView{exists: true, pending: 1} },
			stageSubscription, "has no confirmed subscription (1 PendingConfirmation)"},
		{"topic unreadable", func(s *snapshot) {
			s.topics[topicARN] = topicView{exists: true, listErr: errors.New("AuthorizationError")}
		},
			stageSubscription, "AuthorizationError"},
		{"alarm notifies no topic", func(s *snapshot) {
			for i := range s.alarms {
				s.alarms[i].actions = []string{"arn:aws:automate:eu-west-1:ec2:stop"}
			}
		}, stageTopic, "notifies no SNS topic"},
		{"alarm on another namespace", func(s *snapshot) {
			for i := range s.alarms {
				s.alarms[i].namespace = "Other"
			}
		}, stageAlarm, "which no alarm watches"},
		{"pattern with an extra pair of parentheses", func(s *snapshot) {
			s.filters["g"][6].pattern = "{" + s.filters["g"][6].pattern + "}"
		}, stageFilter, "has no metric filter with the published CloudWatch.7 pattern"},
		{"CIS spacing", func(s *snapshot) {
			s.filters["g"][6].pattern = `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`
		}, stagePass, ""},
		{"filter in another log group", func(s *snapshot) { s.filters["other"], s.filters["g"] = s.filters["g"], nil },
			stageFilter, "log group g (trail t) has no metric filter"},
		{"trail homed in another region", func(s *snapshot) { s.trails, s.elsewhere = nil, []string{"org (homed in us-east-1)"} },
			stageTrail, "no trail homed here; Security Hub evaluates org (homed in us-east-1) in its home region or account"},
		{"trail without log group and stopped", func(s *snapshot) { s.trails[0].logGroup, s.trails[0].logging = "", false },
			stageTrail, "trail t is not logging, delivers to no CloudWatch Logs log group"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := compliant()
			tc.edit(s)
			v := check(s, cw7())
			if v.stage != tc.stage || !strings.Contains(v.reason, tc.reason) {
				t.Errorf("got stage %d %q, want stage %d containing %q", v.stage, v.reason, tc.stage, tc.reason)
			}
		})
	}
}

func TestSqueezeKeepsQuotedSpaces(t *testing.T) {
	c := presets.CISControls()[5] // CloudWatch.6: ($.errorMessage="Failed authentication")
	for pattern, want := range map[string]bool{
		`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`: true,
		`{($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")}`:         true,
		`{($.eventName=ConsoleLogin) && ($.errorMessage="Failed  authentication")}`:      false,
		`{($.eventName=ConsoleLogin) && ($.errorMessage="Failedauthentication")}`:        false,
		`{($.errorMessage="Failed authentication") && ($.eventName=ConsoleLogin)}`:       false,
	} {
		if got := matchesControl(pattern, c); got != want {
			t.Errorf("%s: match %v, want %v", pattern, got, want)
		}
	}
}

func TestManagementGap(t *testing.T) {
	field := func(name string, equals, notEquals []string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: aws.String(name), Equals: equals, NotEquals: notEquals}
	}
	mgmt := field("eventCategory", []string{"Management"}, nil)
	cases := []struct {
		out  cloudtrail.GetEventSelectorsOutput
		want string
	}{
		{cloudtrail.GetEventSelectorsOutput{}, ""},
		{cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt}}}}, ""},
		{cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			mgmt, field("eventSource", nil, []string{"kms.amazonaws.com"})}}}}, "it filters management events by event source (kms.amazonaws.com)"},
		{cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			mgmt, field("readOnly", []string{"false"}, nil)}}}}, "it logs only readOnly=false management events, not all"},
		{cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			field("eventCategory", []string{"Data"}, nil)}}}}, "no event selector includes management events"},
	}
	for i, tc := range cases {
		if got := managementGap(&tc.out); got != tc.want {
			t.Errorf("case %d: %q, want %q", i, got, tc.want)
		}
	}
}

// failingTrails is a CloudTrail that denies DescribeTrails.
type failingTrails struct{ TrailsAPI }

func (failingTrails) DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	return nil, errors.New("AccessDeniedException: not authorized to perform cloudtrail:DescribeTrails")
}

// TestUnreadableRegion: a region that cannot be read makes every control ERROR (exit 1), and the
// JSON and text renderings say so.
func TestUnreadableRegion(t *testing.T) {
	r := Run(context.Background(), []Region{{Name: "eu-west-1", Clients: Clients{CloudTrail: failingTrails{}}}})
	if r.ExitCode() != ExitUnreadable {
		t.Errorf("exit %d, want %d", r.ExitCode(), ExitUnreadable)
	}
	var text, js bytes.Buffer
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	if len(lines) != 16 || !strings.HasPrefix(lines[1], "CloudWatch.1   ERROR   eu-west-1: describe trails: AccessDeniedException") ||
		lines[15] != "14 controls: 0 passed, 0 failed, 14 could not be read" {
		t.Errorf("text:\n%s", text.String())
	}
	var row Row
	first := strings.SplitN(js.String(), "\n", 2)[0]
	if err := json.Unmarshal([]byte(first), &row); err != nil || row.Control != "CloudWatch.1" || row.Status != Error {
		t.Errorf("first JSON line %q: %+v %v", first, row, err)
	}
}

// TestRegionsMerge: a control passes if any region holds its chain; otherwise every region's
// reason is given, and one unreadable region makes an undecided control ERROR.
func TestRegionsMerge(t *testing.T) {
	broken := compliant()
	broken.region, broken.trails = "us-east-1", nil
	r := decide([]regionResult{{"us-east-1", broken, nil}, {"eu-west-1", compliant(), nil}})
	if r.ExitCode() != ExitPass || r.Rows[6].Region != "eu-west-1" || !strings.HasPrefix(r.Rows[6].Reason, "eu-west-1: trail t") {
		t.Errorf("one compliant region: exit %d, %+v", r.ExitCode(), r.Rows[6])
	}
	r = decide([]regionResult{{"us-east-1", broken, nil}, {"ap-southeast-2", nil, errors.New("describe trails: RequestError")}})
	if r.ExitCode() != ExitUnreadable || r.Rows[0].Status != Error ||
		r.Rows[0].Reason != "us-east-1: no CloudTrail trail; ap-southeast-2: describe trails: RequestError" {
		t.Errorf("no compliant region, one unreadable: exit %d, %+v", r.ExitCode(), r.Rows[0])
	}
	r = decide([]regionResult{{"us-east-1", broken, nil}})
	if p, f, u := r.Counts(); r.ExitCode() != ExitFail || p != 0 || f != 14 || u != 0 {
		t.Errorf("one failing region: exit %d, counts %d %d %d", r.ExitCode(), p, f, u)
	}
}
