package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// Organization trails: spec.trail.organization on both backends, and on the emulator, which
// models AWS Organizations (moto does not), CloudTrail's refusals for an account that cannot have
// one.

// orgMonitor is baseMonitor with an organization trail.
var orgMonitor = strings.Replace(baseMonitor, "    cloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToLogs\n",
	"    cloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToLogs\n    organization: true\n", 1)

func organizationScenarios() []scenario {
	return []scenario{{"converge/organization-trail", organizationTrail}}
}

// organizationTrail: an organization trail is created as one, repaired when someone makes it an
// account trail, and left as it is by a spec that does not say.
func organizationTrail(t *testing.T, a *account) {
	ms := loadText(t, orgMonitor)
	if a.emu != nil {
		// The account is its organization's management account. (moto gap: CreateTrail accepts
		// IsOrganizationTrail from any account, with no organization to check.)
		must(t, "organization", a.emu.SetOrganization(awsemu.Organization{Members: []string{"222233334444"}}))
	}
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)
	a.checkChain(ms[0])

	must(t, "make it an account trail", err2(a.ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("scen-trail"),
		IsOrganizationTrail: aws.Bool(false)})))
	fix := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if ch := fix.wantAction(idTrail, reconcile.ActionUpdate, "organization"); len(ch.Changes) != 1 {
		t.Errorf("trail changes %v, want only organization", ch.Changes)
	}
	a.checkChain(ms[0])
	a.pass(c, ms, false).wantNoop()

	// A spec that does not say leaves the organization trail as it is.
	a.pass(c, loadText(t, baseMonitor), false).wantNoop()
	if tr := a.trail("scen-trail"); tr == nil || !aws.ToBool(tr.IsOrganizationTrail) {
		t.Fatalf("trail after a pass that does not say: %+v", tr)
	}
}

// TestOrganizationTrailRefused: in an account that cannot have an organization trail, the trail's
// line fails with a terminal error naming what to fix, the rest of the chain converges, the pass
// exits 1 — and once the account is ready, the next pass creates the trail.
func TestOrganizationTrailRefused(t *testing.T) {
	cases := []struct {
		name string
		org  *awsemu.Organization
		fix  string
	}{
		{"no organization", nil, "is not in an AWS Organization"},
		{"consolidated billing", &awsemu.Organization{ConsolidatedBillingOnly: true}, "enable all features in AWS Organizations"},
		{"a member account", &awsemu.Organization{ManagementAccount: "222233334444", Members: []string{scenarioAccount}},
			"account 123456789012 is not its organization's management account"},
		{"trusted access off", &awsemu.Organization{TrustedAccessDisabled: true}, "enable-aws-service-access --service-principal cloudtrail.amazonaws.com"},
		{"kmswatch lacks permissions", &awsemu.Organization{UnprivilegedKeys: []string{"AKIDSCENARIO"}}, "grant iam:GetRole"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := emuBackend{}.account(t)
			if tc.org != nil {
				must(t, "organization", a.emu.SetOrganization(*tc.org))
			}
			ms := loadText(t, orgMonitor)
			a.seed(ms)
			c := a.controller(reconcile.Options{})
			o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
			ch := o.change(idTrail)
			var te *reconcile.TerminalError
			if ch.Err == nil || !errors.As(ch.Err, &te) || !reconcile.IsTerminal(o.err) || !strings.Contains(ch.Err.Error(), tc.fix) {
				t.Fatalf("trail: %v (terminal %v), want a terminal error saying %q", ch.Err, reconcile.IsTerminal(o.err), tc.fix)
			}
			for _, id := range []string{idLogGroup, idTopic, idAlarm, idFilter, idAlarm2, idFilter2} {
				o.wantAction(id, reconcile.ActionCreate)
			}
			if tr := a.trail("scen-trail"); tr != nil {
				t.Fatalf("a refused organization trail exists: %+v", tr)
			}

			must(t, "a ready organization", a.emu.SetOrganization(awsemu.Organization{}))
			a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).wantAction(idTrail, reconcile.ActionCreate)
			a.pass(c, ms, false).wantNoop()
			a.checkChain(ms[0])
		})
	}
}

// The organization of TestOrganizationDecryptReachesTheManagementAlarm: the emulated account
// (scenarioAccount) manages it; orgMember runs the application, orgOther is another member.
const (
	orgMember = "222233334444"
	orgOther  = "444455556666"
)

// orgPipeline is a management account's Monitor: an organization trail into one log group, and
// three alarms on failed Decrypts — in the member's account, in the other member's, in any.
const orgPipeline = `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: org}
spec:
  trail: {name: org-trail, s3BucketName: org-trail-bucket, cloudWatchLogsRoleArn: "arn:aws:iam::123456789012:role/CloudTrailToLogs", organization: true}
  logGroup: {name: org-logs}
  topics: [{name: org-alerts, subscriptions: [{protocol: email, endpoint: secops@example.com}]}]
  alarms:
    - name: member-decrypt-failures
      match: {eventSource: kms.amazonaws.com, eventNames: [Decrypt], errorsOnly: true, accounts: ["222233334444"]}
      metric: {namespace: Org/KMS, name: MemberDecryptFailures, defaultValue: 0}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [org-alerts]
    - name: other-decrypt-failures
      match: {eventSource: kms.amazonaws.com, eventNames: [Decrypt], errorsOnly: true, accounts: ["444455556666"]}
      metric: {namespace: Org/KMS, name: OtherDecryptFailures, defaultValue: 0}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [org-alerts]
    - name: any-decrypt-failures
      match: {eventSource: kms.amazonaws.com, eventNames: [Decrypt], errorsOnly: true}
      metric: {namespace: Org/KMS, name: AnyDecryptFailures, defaultValue: 0}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [org-alerts]
`

// TestOrganizationDecryptReachesTheManagementAlarm: kmswatch, in the management account, makes the
// organization trail and the alarms; a Decrypt that fails in a member account reaches the
// management account's log group through the organization trail, carrying the member's account,
// and fires the alarm that watches that account and the one that watches all — while the alarm
// watching another member's account stays OK, and so does every alarm through the member's
// successful calls.
func TestOrganizationDecryptReachesTheManagementAlarm(t *testing.T) {
	t.Parallel()
	a := emuBackend{}.account(t)
	a.emu.SetTrailDeliveryDelay(0) // the test is about where events go, not when
	must(t, "organization", a.emu.SetOrganization(awsemu.Organization{Members: []string{orgMember, orgOther}}))
	ms := loadText(t, orgPipeline)
	a.seed(ms)
	a.converge(a.controller(reconcile.Options{}), ms)
	must(t, "confirm", a.emu.ConfirmPending(a.topicARN("org-alerts"), "email", "secops@example.com"))
	a.emu.Advance(5 * time.Minute)
	wantStates(t, a, map[string]cwtypes.StateValue{"member-decrypt-failures": cwtypes.StateValueOk,
		"other-decrypt-failures": cwtypes.StateValueOk, "any-decrypt-failures": cwtypes.StateValueOk})

	// The member's application: its own key, a successful round trip, then a Decrypt its
	// identity policy denies.
	a.emu.AddRoleSession("AKIDMEMBERAPP", "arn:aws:iam::"+orgMember+":role/app", "task")
	cfg := a.base.Copy()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDMEMBERAPP", SecretAccessKey: "secret", Source: "test"}, nil
	})
	app := kms.NewFromConfig(cfg)
	key, err := app.CreateKey(bg, &kms.CreateKeyInput{Description: aws.String("member app key")})
	must(t, "member key", err)
	enc, err := app.Encrypt(bg, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("card number")})
	must(t, "encrypt", err)
	must(t, "decrypt", err2(app.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})))
	a.emu.Advance(3 * time.Minute)
	wantStates(t, a, map[string]cwtypes.StateValue{"member-decrypt-failures": cwtypes.StateValueOk,
		"other-decrypt-failures": cwtypes.StateValueOk, "any-decrypt-failures": cwtypes.StateValueOk})
	sent := len(a.emu.Outbox())

	a.emu.DenyKMS("AKIDMEMBERAPP", "Decrypt")
	if _, err := app.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("denied Decrypt: %v", err)
	}
	a.emu.Advance(3 * time.Minute)
	wantStates(t, a, map[string]cwtypes.StateValue{"member-decrypt-failures": cwtypes.StateValueAlarm,
		"other-decrypt-failures": cwtypes.StateValueOk, "any-decrypt-failures": cwtypes.StateValueAlarm})
	var subjects []string
	for _, d := range a.emu.Outbox()[sent:] {
		if d.Type == "Notification" && d.Endpoint == "secops@example.com" {
			subjects = append(subjects, d.Subject)
		}
	}
	slices.Sort(subjects)
	want := []string{`ALARM: "any-decrypt-failures" in Asia Pacific (Sydney)`, `ALARM: "member-decrypt-failures" in Asia Pacific (Sydney)`}
	if !slices.Equal(subjects, want) {
		t.Fatalf("notifications %q, want %q", subjects, want)
	}

	// The failure reached the management account's log group with the member's account ids.
	out, err := a.logs.FilterLogEvents(bg, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("org-logs"),
		FilterPattern: aws.String(`{ ($.eventName = Decrypt) && ($.errorCode = "AccessDeniedException") }`)})
	must(t, "filter log events", err)
	if len(out.Events) != 1 {
		t.Fatalf("%d failed Decrypts in org-logs, want 1", len(out.Events))
	}
	var rec struct {
		RecipientAccountID string `json:"recipientAccountId"`
		UserIdentity       struct {
			AccountID string `json:"accountId"`
		} `json:"userIdentity"`
	}
	must(t, "decode record", json.Unmarshal([]byte(aws.ToString(out.Events[0].Message)), &rec))
	if rec.RecipientAccountID != orgMember || rec.UserIdentity.AccountID != orgMember ||
		!strings.HasSuffix(aws.ToString(out.Events[0].LogStreamName), "_"+orgMember+"_CloudTrail_"+scenarioRegion) {
		t.Fatalf("delivered in %s with recipientAccountId %s, userIdentity.accountId %s; want the member's %s",
			aws.ToString(out.Events[0].LogStreamName), rec.RecipientAccountID, rec.UserIdentity.AccountID, orgMember)
	}
}

// wantStates fails unless each alarm is in its state.
func wantStates(t *testing.T, a *account, want map[string]cwtypes.StateValue) {
	t.Helper()
	for name, st := range want {
		al := a.alarm(name)
		if al == nil || al.StateValue != st {
			got := cwtypes.StateValue("missing")
			if al != nil {
				got = al.StateValue
			}
			t.Errorf("alarm %s: %s, want %s", name, got, st)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
