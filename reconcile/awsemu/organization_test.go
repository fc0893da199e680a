package awsemu

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// The emulated account of these tests is 123456789012 (logsEnv's); the organization's members.
const (
	orgMember = "222233334444"
	orgOther  = "444455556666"
	// orgAcctGroup is the log group of an account trail beside the organization trail.
	orgAcctGroup   = "acct-logs"
	orgAcctGroupAr = "arn:aws:logs:us-east-1:123456789012:log-group:acct-logs:*"
)

// TestOrganizationTrailRefusals: CreateTrail and UpdateTrail with IsOrganizationTrail fail with
// CloudTrail's error for each way the account is not ready, change nothing when they do, and
// succeed from the management account of an organization that is.
func TestOrganizationTrailRefusals(t *testing.T) {
	cases := []struct {
		name string
		org  *Organization // nil: no organization
		code string
	}{
		{"no organization", nil, "OrganizationsNotInUseException"},
		{"consolidated billing only", &Organization{ConsolidatedBillingOnly: true}, "OrganizationNotInAllFeaturesModeException"},
		{"a member, not the management account", &Organization{ManagementAccount: orgMember, Members: []string{"123456789012"}}, "NotOrganizationMasterAccountException"},
		{"trusted access off", &Organization{TrustedAccessDisabled: true}, "CloudTrailAccessNotEnabledException"},
		{"caller lacks the dependency permissions", &Organization{UnprivilegedKeys: []string{"AKIDLOGS"}}, "InsufficientDependencyServiceAccessPermissionException"},
		{"ready", &Organization{Members: []string{orgMember}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, cfg := ctEnv(t)
			if tc.org != nil {
				if err := e.SetOrganization(*tc.org); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			ct := cloudtrail.NewFromConfig(cfg)
			_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("trail-bucket"),
				IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true)})
			ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("plain")})
			_, upErr := ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("plain"), IsOrganizationTrail: aws.Bool(true),
				EnableLogFileValidation: aws.Bool(true)})
			if tc.code != "" {
				logsWantCode(t, err, tc.code)
				logsWantCode(t, upErr, tc.code)
			} else if err != nil || upErr != nil {
				t.Fatalf("create: %v; update: %v", err, upErr)
			}
			out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tr := range out.TrailList {
				got = append(got, aws.ToString(tr.Name)+" org="+boolWord(aws.ToBool(tr.IsOrganizationTrail))+" validation="+boolWord(aws.ToBool(tr.LogFileValidationEnabled)))
			}
			want := []string{"plain org=false validation=false"}
			if tc.code == "" {
				want = []string{"org org=true validation=false", "plain org=true validation=true"}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("trails %v, want %v", got, want)
			}
		})
	}
	t.Run("back to an account trail", func(t *testing.T) {
		e, cfg := ctEnv(t)
		if err := e.SetOrganization(Organization{}); err != nil {
			t.Fatal(err)
		}
		ct := cloudtrail.NewFromConfig(cfg)
		ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("org"), IsOrganizationTrail: aws.Bool(true)})
		// Leaving the organization does not stop the management account turning it back.
		e.LeaveOrganization()
		out, err := ct.UpdateTrail(context.Background(), &cloudtrail.UpdateTrailInput{Name: aws.String("org"), IsOrganizationTrail: aws.Bool(false)})
		if err != nil || aws.ToBool(out.IsOrganizationTrail) {
			t.Fatalf("update to an account trail: %v, %+v", err, out)
		}
	})
}

func boolWord(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestSetOrganizationValidation(t *testing.T) {
	e := New(Options{AccountID: "123456789012"})
	for _, o := range []Organization{
		{ID: "org-1"},
		{Members: []string{"12345"}},
		{ManagementAccount: orgMember},
	} {
		if err := e.SetOrganization(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if e.w.Org != nil {
		t.Fatal("a refused organization was kept")
	}
}

// delivered is what a log group holds since `since`: each event's stream, and the record's
// account, identity account and event name.
type deliveredEvent struct {
	stream, account, identity, name string
}

func orgDelivered(t *testing.T, logs *cloudwatchlogs.Client, group string, since time.Time) []deliveredEvent {
	t.Helper()
	out, err := logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
		StartTime: aws.Int64(since.UnixMilli())})
	if err != nil {
		t.Fatal(err)
	}
	var got []deliveredEvent
	for _, ev := range out.Events {
		var rec struct {
			EventName          string `json:"eventName"`
			RecipientAccountID string `json:"recipientAccountId"`
			UserIdentity       struct {
				AccountID string `json:"accountId"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(ev.Message)), &rec); err != nil {
			t.Fatal(err)
		}
		got = append(got, deliveredEvent{aws.ToString(ev.LogStreamName), rec.RecipientAccountID, rec.UserIdentity.AccountID, rec.EventName})
	}
	return got
}

// TestOrganizationTrailDeliversMemberEvents: a member account's principal makes KMS calls in its
// own account, with its own keys; the management account's organization trail delivers them —
// and records of the member given to RecordEvent — with the member's account ids, in the
// organization's streams; an account trail beside it and the management account's event
// history see none of them; the member cannot reach the services whose resources the emulator
// holds for the management account only.
func TestOrganizationTrailDeliversMemberEvents(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	if err := e.SetOrganization(Organization{ID: "o-exampleorg1", Members: []string{orgMember, orgOther}}); err != nil {
		t.Fatal(err)
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	logsCreateGroup(t, logs, orgAcctGroup)
	ct := cloudtrail.NewFromConfig(cfg)
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("org"), IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("acct"), IsMultiRegionTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String(orgAcctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	for _, name := range []string{"org", "acct"} {
		if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	mgmtKMS := kms.NewFromConfig(cfg)
	mgmtKey := kmsMustKey(t, mgmtKMS, "management key")
	e.Advance(time.Minute)
	// Log events carry their delivery time: the setup's were delivered at this tick.
	start := e.Now()
	since := start.Add(time.Millisecond)

	e.AddRoleSession("AKIDMEMBER", "arn:aws:iam::"+orgMember+":role/app", "task")
	member := kms.NewFromConfig(emuConfig(e, "AKIDMEMBER"))
	key := kmsMustKey(t, member, "member key")
	if !strings.Contains(aws.ToString(key.Arn), ":"+orgMember+":key/") || aws.ToString(key.AWSAccountId) != orgMember {
		t.Fatalf("member key %s of account %s", aws.ToString(key.Arn), aws.ToString(key.AWSAccountId))
	}
	enc, err := member.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	e.DenyKMS("AKIDMEMBER", "Decrypt")
	_, err = member.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	logsWantCode(t, err, "AccessDeniedException")
	// Each account sees its own keys only; the management key is not the member's to use.
	if keys, err := member.ListKeys(ctx, &kms.ListKeysInput{}); err != nil || len(keys.Keys) != 1 || aws.ToString(keys.Keys[0].KeyId) != aws.ToString(key.KeyId) {
		t.Fatalf("member's keys: %v %+v", err, keys)
	}
	if keys, err := mgmtKMS.ListKeys(ctx, &kms.ListKeysInput{}); err != nil || len(keys.Keys) != 1 || aws.ToString(keys.Keys[0].KeyId) != aws.ToString(mgmtKey.KeyId) {
		t.Fatalf("management's keys: %v %+v", err, keys)
	}
	_, err = member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mgmtKey.Arn})
	logsWantCode(t, err, "NotFoundException")
	// The member cannot reach the management account's log groups; the refusal is not an event.
	_, err = cloudwatchlogs.NewFromConfig(emuConfig(e, "AKIDMEMBER")).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	logsWantCode(t, err, "UnknownOperationException")
	// A console sign-in in the other member account, recorded as CloudTrail writes it.
	if err := e.RecordEvent([]byte(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","accountId":"` + orgOther + `","arn":"arn:aws:iam::` + orgOther + `:user/bob"},
		"eventTime":"2020-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",
		"readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"` + orgOther + `","eventCategory":"Management"}`)); err != nil {
		t.Fatal(err)
	}
	// And one call of the management account's own.
	if _, err := mgmtKMS.DisableKey(ctx, &kms.DisableKeyInput{KeyId: mgmtKey.KeyId}); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute)

	streamOf := func(prefix, acct string) string { return prefix + acct + "_CloudTrail_us-east-1" }
	want := []deliveredEvent{
		{streamOf("o-exampleorg1_", orgMember), orgMember, orgMember, "CreateKey"},
		{streamOf("o-exampleorg1_", orgMember), orgMember, orgMember, "Encrypt"},
		{streamOf("o-exampleorg1_", orgMember), orgMember, orgMember, "Decrypt"},
		{streamOf("o-exampleorg1_", orgMember), orgMember, orgMember, "ListKeys"},
		{streamOf("o-exampleorg1_", orgMember), orgMember, orgMember, "DescribeKey"},
		{streamOf("o-exampleorg1_", orgOther), orgOther, orgOther, "ConsoleLogin"},
		{streamOf("o-exampleorg1_", "123456789012"), "123456789012", "123456789012", "ListKeys"},
		{streamOf("o-exampleorg1_", "123456789012"), "123456789012", "123456789012", "DisableKey"},
	}
	got := orgDelivered(t, logs, ctGroup, since)
	slices.SortStableFunc(got, func(a, b deliveredEvent) int { return strings.Compare(a.stream, b.stream) })
	if !slices.Equal(got, sortedByStream(want)) {
		t.Fatalf("organization trail delivered:\n%v\nwant:\n%v", got, sortedByStream(want))
	}
	wantAcct := []deliveredEvent{
		{streamOf("", "123456789012"), "123456789012", "123456789012", "ListKeys"},
		{streamOf("", "123456789012"), "123456789012", "123456789012", "DisableKey"},
	}
	if got := orgDelivered(t, logs, orgAcctGroup, since); !slices.Equal(got, wantAcct) {
		t.Fatalf("account trail delivered:\n%v\nwant:\n%v", got, wantAcct)
	}
	// The management account's event history is its own.
	hist, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(start),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("kms.amazonaws.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ev := range hist.Events {
		names = append(names, aws.ToString(ev.EventName))
	}
	if !slices.Equal(names, []string{"DisableKey", "ListKeys"}) {
		t.Fatalf("management account's KMS history %v, want its DisableKey and ListKeys only", names)
	}

	// Out of the organization, the member's events reach no trail, and RecordEvent refuses them.
	e.LeaveOrganization()
	since = e.Now().Add(time.Millisecond) // past what the previous tick delivered
	if _, err := member.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Fatal(err)
	}
	if err := e.RecordEvent([]byte(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","managementEvent":true,"recipientAccountId":"` + orgOther + `"}`)); err == nil {
		t.Fatal("an event of an account outside the organization was recorded")
	}
	e.Advance(time.Minute)
	for _, ev := range orgDelivered(t, logs, ctGroup, since) {
		if ev.account != "123456789012" {
			t.Fatalf("a member's event delivered after leaving the organization: %v", ev)
		}
	}
}

func sortedByStream(evs []deliveredEvent) []deliveredEvent {
	out := slices.Clone(evs)
	slices.SortStableFunc(out, func(a, b deliveredEvent) int { return strings.Compare(a.stream, b.stream) })
	return out
}
