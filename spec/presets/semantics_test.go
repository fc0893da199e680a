package presets

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// record builds a CloudTrail record shaped as CloudTrail writes it to CloudWatch Logs (the
// fields and nesting of the CloudTrail record contents reference), from an IAM user's call;
// edit adjusts it for the case at hand.
func record(source, name string, edit func(r map[string]any)) string {
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type":        "IAMUser",
			"principalId": "AIDAEXAMPLEPRINCIPAL",
			"arn":         "arn:aws:iam::111122223333:user/alice",
			"accountId":   "111122223333",
			"accessKeyId": "AKIAEXAMPLEKEYID0001",
			"userName":    "alice",
		},
		"eventTime":          "2026-03-02T10:15:00Z",
		"eventSource":        source,
		"eventName":          name,
		"awsRegion":          "ap-southeast-2",
		"sourceIPAddress":    "203.0.113.7",
		"userAgent":          "aws-cli/2.15.0",
		"requestParameters":  map[string]any{},
		"responseElements":   nil,
		"requestID":          "8a4e8f3e-0000-4000-8000-000000000001",
		"eventID":            "c2a1d0b4-0000-4000-8000-000000000002",
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": "111122223333",
		"eventCategory":      "Management",
	}
	if edit != nil {
		edit(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func denied(code, msg string) func(map[string]any) {
	return func(r map[string]any) { r["errorCode"], r["errorMessage"] = code, msg }
}

func consoleLogin(identityType, mfaUsed, result string) func(map[string]any) {
	return func(r map[string]any) {
		r["eventType"] = "AwsConsoleSignIn"
		r["additionalEventData"] = map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfaUsed}
		r["responseElements"] = map[string]any{"ConsoleLogin": result}
		if identityType == "AssumedRole" {
			r["userIdentity"] = map[string]any{
				"type": "AssumedRole", "principalId": "AROAEXAMPLEROLE:alice@example.com",
				"arn":       "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com",
				"accountId": "111122223333",
			}
		}
		if result == "Failure" {
			r["errorMessage"] = "Failed authentication"
		}
	}
}

func asRoot(invokedBy, eventType string) func(map[string]any) {
	return func(r map[string]any) {
		id := map[string]any{"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}
		if invokedBy != "" {
			id["invokedBy"] = invokedBy
		}
		r["userIdentity"] = id
		r["eventType"] = eventType
	}
}

// corpus is CloudTrail records, each with the controls whose preset alarm must count it. Every
// control has records it must count; the rest are near misses: same event names from other
// services, the same call succeeding, roles signing in through SSO, AWS acting as root.
var corpus = []struct {
	id       string
	message  string
	controls []string
}{
	{"root-api-call", record("iam.amazonaws.com", "CreateAccessKey", asRoot("", "AwsApiCall")), []string{"CloudWatch.1"}},
	{"root-console", record("signin.amazonaws.com", "ConsoleLogin", func(r map[string]any) {
		consoleLogin("IAMUser", "No", "Success")(r)
		asRoot("", "AwsConsoleSignIn")(r)
	}), []string{"CloudWatch.1"}},
	{"root-invoked-by-service", record("s3.amazonaws.com", "PutObject", asRoot("cloudtrail.amazonaws.com", "AwsApiCall")), nil},
	{"root-service-event", record("health.amazonaws.com", "AWSHealthEvent", asRoot("", "AwsServiceEvent")), nil},

	{"ec2-unauthorized", record("ec2.amazonaws.com", "RunInstances", denied("Client.UnauthorizedOperation", "You are not authorized to perform this operation.")), []string{"CloudWatch.2"}},
	{"s3-access-denied", record("s3.amazonaws.com", "GetObject", denied("AccessDenied", "Access Denied")), []string{"CloudWatch.2"}},
	{"kms-access-denied", record("kms.amazonaws.com", "Decrypt", denied("AccessDeniedException", "not authorized to perform: kms:Decrypt")), []string{"CloudWatch.2"}},
	{"kms-invalid-ciphertext", record("kms.amazonaws.com", "Decrypt", denied("InvalidCiphertextException", "")), nil},

	{"iam-user-login-no-mfa", record("signin.amazonaws.com", "ConsoleLogin", consoleLogin("IAMUser", "No", "Success")), []string{"CloudWatch.3"}},
	{"iam-user-login-mfa", record("signin.amazonaws.com", "ConsoleLogin", consoleLogin("IAMUser", "Yes", "Success")), nil},
	{"sso-role-login", record("signin.amazonaws.com", "ConsoleLogin", consoleLogin("AssumedRole", "No", "Success")), nil},
	{"iam-user-login-failed", record("signin.amazonaws.com", "ConsoleLogin", consoleLogin("IAMUser", "No", "Failure")), []string{"CloudWatch.6"}},

	{"iam-put-role-policy", record("iam.amazonaws.com", "PutRolePolicy", nil), []string{"CloudWatch.4"}},
	{"iam-create-policy-version", record("iam.amazonaws.com", "CreatePolicyVersion", nil), []string{"CloudWatch.4"}},
	{"iam-detach-group-policy", record("iam.amazonaws.com", "DetachGroupPolicy", nil), []string{"CloudWatch.4"}},
	{"organizations-create-policy", record("organizations.amazonaws.com", "CreatePolicy", nil), nil},
	{"iot-delete-policy", record("iot.amazonaws.com", "DeletePolicy", nil), nil},

	{"cloudtrail-stop-logging", record("cloudtrail.amazonaws.com", "StopLogging", nil), []string{"CloudWatch.5"}},
	{"cloudtrail-update-trail", record("cloudtrail.amazonaws.com", "UpdateTrail", nil), []string{"CloudWatch.5"}},
	{"cloudtrail-put-event-selectors", record("cloudtrail.amazonaws.com", "PutEventSelectors", nil), nil},

	{"kms-disable-key", record("kms.amazonaws.com", "DisableKey", nil), []string{"CloudWatch.7"}},
	{"kms-schedule-deletion", record("kms.amazonaws.com", "ScheduleKeyDeletion", nil), []string{"CloudWatch.7"}},
	{"kms-enable-key", record("kms.amazonaws.com", "EnableKey", nil), nil},

	{"s3-put-bucket-policy", record("s3.amazonaws.com", "PutBucketPolicy", nil), []string{"CloudWatch.8"}},
	{"s3-delete-bucket-cors", record("s3.amazonaws.com", "DeleteBucketCors", nil), []string{"CloudWatch.8"}},
	{"s3-put-object", record("s3.amazonaws.com", "PutObject", nil), nil},

	{"config-stop-recorder", record("config.amazonaws.com", "StopConfigurationRecorder", nil), []string{"CloudWatch.9"}},
	{"config-put-delivery-channel", record("config.amazonaws.com", "PutDeliveryChannel", nil), []string{"CloudWatch.9"}},

	{"ec2-authorize-ingress", record("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", nil), []string{"CloudWatch.10"}},
	{"ec2-delete-security-group", record("ec2.amazonaws.com", "DeleteSecurityGroup", nil), []string{"CloudWatch.10"}},
	{"ec2-create-network-acl-entry", record("ec2.amazonaws.com", "CreateNetworkAclEntry", nil), []string{"CloudWatch.11"}},
	{"ec2-replace-network-acl-association", record("ec2.amazonaws.com", "ReplaceNetworkAclAssociation", nil), []string{"CloudWatch.11"}},
	{"ec2-attach-internet-gateway", record("ec2.amazonaws.com", "AttachInternetGateway", nil), []string{"CloudWatch.12"}},
	{"ec2-delete-customer-gateway", record("ec2.amazonaws.com", "DeleteCustomerGateway", nil), []string{"CloudWatch.12"}},
	{"ec2-create-route", record("ec2.amazonaws.com", "CreateRoute", nil), []string{"CloudWatch.13"}},
	{"ec2-replace-route-table-association", record("ec2.amazonaws.com", "ReplaceRouteTableAssociation", nil), []string{"CloudWatch.13"}},
	{"apigateway-create-route", record("apigateway.amazonaws.com", "CreateRoute", nil), nil},
	{"apigateway-delete-route", record("apigateway.amazonaws.com", "DeleteRoute", nil), nil},
	{"ec2-create-vpc", record("ec2.amazonaws.com", "CreateVpc", nil), []string{"CloudWatch.14"}},
	{"ec2-accept-vpc-peering", record("ec2.amazonaws.com", "AcceptVpcPeeringConnection", nil), []string{"CloudWatch.14"}},
	{"ec2-describe-vpcs", record("ec2.amazonaws.com", "DescribeVpcs", func(r map[string]any) { r["readOnly"] = true }), nil},
}

// wider lists, per control, the records that another published text of the control counts and
// the preset's does not: what choosing Security Hub's current text (over the CIS text) gives up.
var wider = map[string][]string{
	// CIS v1.2.0 3.2 counts every console sign-in without MFA: role sessions (SSO), failed
	// sign-ins and the root user included; Security Hub's variant only IAM users' successful ones.
	"CloudWatch.3": {"sso-role-login", "iam-user-login-failed", "root-console"},
	// The CIS texts match the names from any service; Security Hub's now only IAM's and EC2's.
	"CloudWatch.4":  {"organizations-create-policy", "iot-delete-policy"},
	"CloudWatch.13": {"apigateway-create-route", "apigateway-delete-route"},
}

func mustParse(t *testing.T, text string) *pattern.Pattern {
	t.Helper()
	p, err := pattern.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return p
}

// TestPresetCountsWhatTheControlIsFor runs every preset pattern, as CloudWatch Logs evaluates it
// (spec/pattern), over the corpus: each record is counted by exactly the controls it is for.
func TestPresetCountsWhatTheControlIsFor(t *testing.T) {
	preset, err := Lookup(CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]bool{}
	for _, rec := range corpus {
		var got []string
		for _, a := range preset.Alarms {
			if mustParse(t, a.Pattern).Match(rec.message) {
				got = append(got, a.Control)
				counted[a.Control] = true
			}
		}
		want := rec.controls
		if want == nil {
			want = []string{}
		}
		if got == nil {
			got = []string{}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: controls counting it (-want +got):\n%s", rec.id, d)
		}
	}
	if len(counted) != 14 {
		t.Errorf("only %d controls count a record of the corpus; every control needs one", len(counted))
	}
}

// TestPublishedTextsAgainstPreset compares each control's other published texts with the
// preset's: none counts less than the preset's (so an account passing on a CIS text loses
// nothing by switching), and they count more only where `wider` says so.
func TestPublishedTextsAgainstPreset(t *testing.T) {
	for _, c := range CISControls() {
		mine := mustParse(t, c.Pattern)
		var extra []string
		for _, v := range c.Variants {
			theirs := mustParse(t, v)
			for _, rec := range corpus {
				m, o := mine.Match(rec.message), theirs.Match(rec.message)
				if m && !o {
					t.Errorf("%s: the preset counts %s, the published %q does not", c.ID, rec.id, v)
				}
				if o && !m && !contains(extra, rec.id) {
					extra = append(extra, rec.id)
				}
			}
		}
		sort.Strings(extra)
		want := append([]string(nil), wider[c.ID]...)
		sort.Strings(want)
		if want == nil {
			want = []string{}
		}
		if extra == nil {
			extra = []string{}
		}
		if d := cmp.Diff(want, extra); d != "" {
			t.Errorf("%s: records another published text counts and the preset does not (-want +got):\n%s", c.ID, d)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCorpusIsCloudTrailShaped guards the corpus itself: every record is JSON with the fields
// CloudTrail always writes, so a pattern cannot pass on a record no trail would deliver.
func TestCorpusIsCloudTrailShaped(t *testing.T) {
	for _, rec := range corpus {
		var r map[string]any
		if err := json.Unmarshal([]byte(rec.message), &r); err != nil {
			t.Fatalf("%s: %v", rec.id, err)
		}
		for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "eventID", "eventType", "recipientAccountId"} {
			if _, ok := r[f]; !ok {
				t.Errorf("%s: no %s", rec.id, f)
			}
		}
		if src, _ := r["eventSource"].(string); !strings.HasSuffix(src, ".amazonaws.com") {
			t.Errorf("%s: eventSource %q", rec.id, src)
		}
	}
}
