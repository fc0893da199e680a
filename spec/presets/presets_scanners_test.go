package presets

import (
	"regexp"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Scanners other than Security Hub decide these controls by matching the metric filter's pattern
// text with a regular expression. The rules below are ported from their sources, so that the
// preset is checked against what auditors' tools actually run:
//
//   - Prowler, prowler/providers/aws/services/cloudwatch/ at 3e000faa (2026-08-21): since
//     prowler-cloud/prowler#11345 (order-independent checks) each check builds its rule with
//     lib/metric_filters.py build_metric_filter_pattern, a conjunction of lookaheads that RE2
//     has not; requiring every part to match somewhere is the same thing (each lookahead is
//     (?=.*X) at the same position, with re.DOTALL).
//   - Prowler before #11345 (every 4.x and 5.x release up to it): one ordered regex per check,
//     used with re.search(..., re.DOTALL). Ported verbatim.
//   - Steampipe's AWS Compliance mod, conformance_pack/cloudwatch.pp at a1d0b446: PostgreSQL
//     `filter_pattern ~ '…'` (case-sensitive). Ported verbatim.

// rule is a scanner's test of one metric filter pattern: every regex must match.
type rule struct {
	check string
	all   []*regexp.Regexp
}

func (r rule) matches(text string) bool {
	for _, re := range r.all {
		if !re.MatchString(text) {
			return false
		}
	}
	return true
}

// prowlerBuild ports build_metric_filter_pattern: one regex per lookahead of the original.
func prowlerBuild(check, eventSource string, eventNames []string, extra ...[3]string) rule {
	var res []*regexp.Regexp
	if eventSource != "" {
		res = append(res, regexp.MustCompile(`(?s)\$\.eventSource\s*=\s*.?`+regexp.QuoteMeta(eventSource)))
	}
	for _, n := range eventNames {
		res = append(res, regexp.MustCompile(`(?s)\$\.eventName\s*=\s*.?`+regexp.QuoteMeta(n)+`\b`))
	}
	for _, c := range extra {
		op := `\s*=\s*`
		if c[1] == "!=" {
			op = `\s*!=\s*`
		}
		res = append(res, regexp.MustCompile(`(?s)\$\.`+regexp.QuoteMeta(c[0])+op+`.?`+regexp.QuoteMeta(c[2])))
	}
	return rule{check: check, all: res}
}

func one(check, re string) rule {
	return rule{check: check, all: []*regexp.Regexp{regexp.MustCompile(re)}}
}

// prowlerNow are Prowler's checks for CloudWatch.1–14 as they are at 3e000faa, by control.
func prowlerNow() map[string]rule {
	return map[string]rule{
		"CloudWatch.1": one("cloudwatch_log_metric_filter_root_usage",
			`(?s)\$\.userIdentity\.type\s*=\s*.?Root.+\$\.userIdentity\.invokedBy NOT EXISTS.+\$\.eventType\s*!=\s*.?AwsServiceEvent.?`),
		"CloudWatch.2": one("cloudwatch_log_metric_filter_unauthorized_api_calls",
			`(?s)\$\.errorCode\s*=\s*.?\*UnauthorizedOperation.+\$\.errorCode\s*=\s*.?AccessDenied\*.?`),
		"CloudWatch.3": prowlerBuild("cloudwatch_log_metric_filter_sign_in_without_mfa", "",
			[]string{"ConsoleLogin"}, [3]string{"additionalEventData.MFAUsed", "!=", "Yes"}),
		"CloudWatch.4": prowlerBuild("cloudwatch_log_metric_filter_policy_changes", "", []string{
			"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
			"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
			"AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}),
		"CloudWatch.5": prowlerBuild("cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled", "",
			[]string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}),
		"CloudWatch.6": prowlerBuild("cloudwatch_log_metric_filter_authentication_failures", "",
			[]string{"ConsoleLogin"}, [3]string{"errorMessage", "=", "Failed authentication"}),
		"CloudWatch.7": prowlerBuild("cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk", "kms.amazonaws.com",
			[]string{"DisableKey", "ScheduleKeyDeletion"}),
		"CloudWatch.8": prowlerBuild("cloudwatch_log_metric_filter_for_s3_bucket_policy_changes", "s3.amazonaws.com", []string{
			"PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
			"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"}),
		"CloudWatch.9": prowlerBuild("cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled", "config.amazonaws.com",
			[]string{"StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"}),
		"CloudWatch.10": prowlerBuild("cloudwatch_log_metric_filter_security_group_changes", "", []string{
			"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
			"CreateSecurityGroup", "DeleteSecurityGroup"}),
		"CloudWatch.11": prowlerBuild("cloudwatch_changes_to_network_acls_alarm_configured", "", []string{
			"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry",
			"ReplaceNetworkAclAssociation"}),
		"CloudWatch.12": prowlerBuild("cloudwatch_changes_to_network_gateways_alarm_configured", "", []string{
			"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
			"DeleteInternetGateway", "DetachInternetGateway"}),
		"CloudWatch.13": prowlerBuild("cloudwatch_changes_to_network_route_tables_alarm_configured", "ec2.amazonaws.com", []string{
			"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute",
			"DisassociateRouteTable"}),
		"CloudWatch.14": prowlerBuild("cloudwatch_changes_to_vpcs_alarm_configured", "", []string{
			"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
			"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
			"DisableVpcClassicLink", "EnableVpcClassicLink"}),
	}
}

// prowlerOrdered are Prowler's checks as they were before #11345, verbatim.
func prowlerOrdered() map[string]rule {
	return map[string]rule{
		"CloudWatch.1": one("cloudwatch_log_metric_filter_root_usage",
			`(?s)\$\.userIdentity\.type\s*=\s*.?Root.+\$\.userIdentity\.invokedBy NOT EXISTS.+\$\.eventType\s*!=\s*.?AwsServiceEvent.?`),
		"CloudWatch.2": one("cloudwatch_log_metric_filter_unauthorized_api_calls",
			`(?s)\$\.errorCode\s*=\s*.?\*UnauthorizedOperation.+\$\.errorCode\s*=\s*.?AccessDenied\*.?`),
		"CloudWatch.3": one("cloudwatch_log_metric_filter_sign_in_without_mfa",
			`(?s)\$\.eventName\s*=\s*.?ConsoleLogin.+\$\.additionalEventData\.MFAUsed\s*!=\s*.?Yes.?`),
		"CloudWatch.4": one("cloudwatch_log_metric_filter_policy_changes",
			`(?s)\$\.eventName\s*=\s*.?DeleteGroupPolicy.+\$\.eventName\s*=\s*.?DeleteRolePolicy.+\$\.eventName\s*=\s*.?DeleteUserPolicy.+\$\.eventName\s*=\s*.?PutGroupPolicy.+\$\.eventName\s*=\s*.?PutRolePolicy.+\$\.eventName\s*=\s*.?PutUserPolicy.+\$\.eventName\s*=\s*.?CreatePolicy.+\$\.eventName\s*=\s*.?DeletePolicy.+\$\.eventName\s*=\s*.?CreatePolicyVersion.+\$\.eventName\s*=\s*.?DeletePolicyVersion.+\$\.eventName\s*=\s*.?AttachRolePolicy.+\$\.eventName\s*=\s*.?DetachRolePolicy.+\$\.eventName\s*=\s*.?AttachUserPolicy.+\$\.eventName\s*=\s*.?DetachUserPolicy.+\$\.eventName\s*=\s*.?AttachGroupPolicy.+\$\.eventName\s*=\s*.?DetachGroupPolicy.?`),
		"CloudWatch.5": one("cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",
			`(?s)\$\.eventName\s*=\s*.?CreateTrail.+\$\.eventName\s*=\s*.?UpdateTrail.+\$\.eventName\s*=\s*.?DeleteTrail.+\$\.eventName\s*=\s*.?StartLogging.+\$\.eventName\s*=\s*.?StopLogging.?`),
		"CloudWatch.6": one("cloudwatch_log_metric_filter_authentication_failures",
			`(?s)\$\.eventName\s*=\s*.?ConsoleLogin.+\$\.errorMessage\s*=\s*.?Failed authentication.?`),
		"CloudWatch.7": one("cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",
			`(?s)\$\.eventSource\s*=\s*.?kms.amazonaws.com.+\$\.eventName\s*=\s*.?DisableKey.+\$\.eventName\s*=\s*.?ScheduleKeyDeletion.?`),
		"CloudWatch.8": one("cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",
			`(?s)\$\.eventSource\s*=\s*.?s3.amazonaws.com.+\$\.eventName\s*=\s*.?PutBucketAcl.+\$\.eventName\s*=\s*.?PutBucketPolicy.+\$\.eventName\s*=\s*.?PutBucketCors.+\$\.eventName\s*=\s*.?PutBucketLifecycle.+\$\.eventName\s*=\s*.?PutBucketReplication.+\$\.eventName\s*=\s*.?DeleteBucketPolicy.+\$\.eventName\s*=\s*.?DeleteBucketCors.+\$\.eventName\s*=\s*.?DeleteBucketLifecycle.+\$\.eventName\s*=\s*.?DeleteBucketReplication.?`),
		"CloudWatch.9": one("cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",
			`(?s)\$\.eventSource\s*=\s*.?config.amazonaws.com.+\$\.eventName\s*=\s*.?StopConfigurationRecorder.+\$\.eventName\s*=\s*.?DeleteDeliveryChannel.+\$\.eventName\s*=\s*.?PutDeliveryChannel.+\$\.eventName\s*=\s*.?PutConfigurationRecorder.?`),
		"CloudWatch.10": one("cloudwatch_log_metric_filter_security_group_changes",
			`(?s)\$\.eventName\s*=\s*.?AuthorizeSecurityGroupIngress.+\$\.eventName\s*=\s*.?AuthorizeSecurityGroupEgress.+\$\.eventName\s*=\s*.?RevokeSecurityGroupIngress.+\$\.eventName\s*=\s*.?RevokeSecurityGroupEgress.+\$\.eventName\s*=\s*.?CreateSecurityGroup.+\$\.eventName\s*=\s*.?DeleteSecurityGroup.?`),
		"CloudWatch.11": one("cloudwatch_changes_to_network_acls_alarm_configured",
			`(?s)\$\.eventName\s*=\s*.?CreateNetworkAcl.+\$\.eventName\s*=\s*.?CreateNetworkAclEntry.+\$\.eventName\s*=\s*.?DeleteNetworkAcl.+\$\.eventName\s*=\s*.?DeleteNetworkAclEntry.+\$\.eventName\s*=\s*.?ReplaceNetworkAclEntry.+\$\.eventName\s*=\s*.?ReplaceNetworkAclAssociation.?`),
		"CloudWatch.12": one("cloudwatch_changes_to_network_gateways_alarm_configured",
			`(?s)\$\.eventName\s*=\s*.?CreateCustomerGateway.+\$\.eventName\s*=\s*.?DeleteCustomerGateway.+\$\.eventName\s*=\s*.?AttachInternetGateway.+\$\.eventName\s*=\s*.?CreateInternetGateway.+\$\.eventName\s*=\s*.?DeleteInternetGateway.+\$\.eventName\s*=\s*.?DetachInternetGateway.?`),
		"CloudWatch.13": one("cloudwatch_changes_to_network_route_tables_alarm_configured",
			`(?s)\$\.eventSource\s*=\s*.?ec2.amazonaws.com.+\$\.eventName\s*=\s*.?CreateRoute.+\$\.eventName\s*=\s*.?CreateRouteTable.+\$\.eventName\s*=\s*.?ReplaceRoute.+\$\.eventName\s*=\s*.?ReplaceRouteTableAssociation.+\$\.eventName\s*=\s*.?DeleteRouteTable.+\$\.eventName\s*=\s*.?DeleteRoute.+\$\.eventName\s*=\s*.?DisassociateRouteTable.?`),
		"CloudWatch.14": one("cloudwatch_changes_to_vpcs_alarm_configured",
			`(?s)\$\.eventName\s*=\s*.?CreateVpc.+\$\.eventName\s*=\s*.?DeleteVpc.+\$\.eventName\s*=\s*.?ModifyVpcAttribute.+\$\.eventName\s*=\s*.?AcceptVpcPeeringConnection.+\$\.eventName\s*=\s*.?CreateVpcPeeringConnection.+\$\.eventName\s*=\s*.?DeleteVpcPeeringConnection.+\$\.eventName\s*=\s*.?RejectVpcPeeringConnection.+\$\.eventName\s*=\s*.?AttachClassicLinkVpc.+\$\.eventName\s*=\s*.?DetachClassicLinkVpc.+\$\.eventName\s*=\s*.?DisableVpcClassicLink.+\$\.eventName\s*=\s*.?EnableVpcClassicLink.?`),
	}
}

// steampipe are the Steampipe AWS Compliance mod's queries for the same controls, verbatim.
func steampipe() map[string]rule {
	return map[string]rule{
		"CloudWatch.1": one("log_metric_filter_root_login",
			`\s*\$\.userIdentity\.type\s*=\s*"Root".+\$\.userIdentity\.invokedBy NOT EXISTS.+\$\.eventType\s*!=\s*"AwsServiceEvent"`),
		"CloudWatch.2": one("log_metric_filter_unauthorized_api",
			`\$\.errorCode\s*=\s*"\*UnauthorizedOperation".+\$\.errorCode\s*=\s*"AccessDenied\*".+\$\.sourceIPAddress\s*!=\s*"delivery.logs.amazonaws.com".+\$\.eventName\s*!=\s*"HeadBucket"`),
		"CloudWatch.3": one("log_metric_filter_console_login_mfa",
			`\(\s*\$\.eventName\s*=\s*"ConsoleLogin"\)\s+&&\s+\(\s*\$.additionalEventData\.MFAUsed\s*!=\s*"Yes"`),
		"CloudWatch.4": one("log_metric_filter_iam_policy",
			`\s*\$\.eventName\s*=\s*DeleteGroupPolicy.+\$\.eventName\s*=\s*DeleteRolePolicy.+\$\.eventName\s*=\s*DeleteUserPolicy.+\$\.eventName\s*=\s*PutGroupPolicy.+\$\.eventName\s*=\s*PutRolePolicy.+\$\.eventName\s*=\s*PutUserPolicy.+\$\.eventName\s*=\s*CreatePolicy.+\$\.eventName\s*=\s*DeletePolicy.+\$\.eventName\s*=\s*CreatePolicyVersion.+\$\.eventName\s*=\s*DeletePolicyVersion.+\$\.eventName\s*=\s*AttachRolePolicy.+\$\.eventName\s*=\s*DetachRolePolicy.+\$\.eventName\s*=\s*AttachUserPolicy.+\$\.eventName\s*=\s*DetachUserPolicy.+\$\.eventName\s*=\s*AttachGroupPolicy.+\$\.eventName\s*=\s*DetachGroupPolicy`),
		"CloudWatch.5": one("log_metric_filter_cloudtrail_configuration",
			`\s*\$\.eventName\s*=\s*CreateTrail.+\$\.eventName\s*=\s*UpdateTrail.+\$\.eventName\s*=\s*DeleteTrail.+\$\.eventName\s*=\s*StartLogging.+\$\.eventName\s*=\s*StopLogging`),
		"CloudWatch.6": one("log_metric_filter_console_authentication_failure",
			`\s*\$\.eventName\s*=\s*ConsoleLogin.+\$\.errorMessage\s*=\s*"Failed authentication"`),
		"CloudWatch.7": one("log_metric_filter_disable_or_delete_cmk",
			`\s*\$\.eventSource\s*=\s*kms.amazonaws.com.+\$\.eventName\s*=\s*DisableKey.+\$\.eventName\s*=\s*ScheduleKeyDeletion`),
		"CloudWatch.8": one("log_metric_filter_bucket_policy",
			`\s*\$\.eventSource\s*=\s*s3.amazonaws.com.+\$\.eventName\s*=\s*PutBucketAcl.+\$\.eventName\s*=\s*PutBucketPolicy.+\$\.eventName\s*=\s*PutBucketCors.+\$\.eventName\s*=\s*PutBucketLifecycle.+\$\.eventName\s*=\s*PutBucketReplication.+\$\.eventName\s*=\s*DeleteBucketPolicy.+\$\.eventName\s*=\s*DeleteBucketCors.+\$\.eventName\s*=\s*DeleteBucketLifecycle.+\$\.eventName\s*=\s*DeleteBucketReplication`),
		"CloudWatch.9": one("log_metric_filter_config_configuration",
			`\s*\$\.eventSource\s*=\s*config.amazonaws.com.+\$\.eventName\s*=\s*StopConfigurationRecorder.+\$\.eventName\s*=\s*DeleteDeliveryChannel.+\$\.eventName\s*=\s*PutDeliveryChannel.+\$\.eventName\s*=\s*PutConfigurationRecorder`),
		"CloudWatch.10": one("log_metric_filter_security_group",
			`\s*\$\.eventName\s*=\s*AuthorizeSecurityGroupIngress.+\$\.eventName\s*=\s*AuthorizeSecurityGroupEgress.+\$\.eventName\s*=\s*RevokeSecurityGroupIngress.+\$\.eventName\s*=\s*RevokeSecurityGroupEgress.+\$\.eventName\s*=\s*CreateSecurityGroup.+\$\.eventName\s*=\s*DeleteSecurityGroup.+\$\.eventName\s*=\s*ModifySecurityGroupRules`),
		"CloudWatch.11": one("log_metric_filter_network_acl",
			`\s*\$\.eventName\s*=\s*CreateNetworkAcl.+\$\.eventName\s*=\s*CreateNetworkAclEntry.+\$\.eventName\s*=\s*DeleteNetworkAcl.+\$\.eventName\s*=\s*DeleteNetworkAclEntry.+\$\.eventName\s*=\s*ReplaceNetworkAclEntry.+\$\.eventName\s*=\s*ReplaceNetworkAclAssociation`),
		"CloudWatch.12": one("log_metric_filter_network_gateway",
			`\s*\$\.eventName\s*=\s*CreateCustomerGateway.+\$\.eventName\s*=\s*DeleteCustomerGateway.+\$\.eventName\s*=\s*AttachInternetGateway.+\$\.eventName\s*=\s*CreateInternetGateway.+\$\.eventName\s*=\s*DeleteInternetGateway.+\$\.eventName\s*=\s*DetachInternetGateway`),
		"CloudWatch.13": one("log_metric_filter_route_table",
			`\s*\$\.eventName\s*=\s*CreateRoute.+\$\.eventName\s*=\s*CreateRouteTable.+\$\.eventName\s*=\s*ReplaceRoute.+\$\.eventName\s*=\s*ReplaceRouteTableAssociation.+\$\.eventName\s*=\s*DeleteRouteTable.+\$\.eventName\s*=\s*DeleteRoute.+\$\.eventName\s*=\s*DisassociateRouteTable`),
		"CloudWatch.14": one("log_metric_filter_vpc",
			`\s*\$\.eventName\s*=\s*CreateVpc.+\$\.eventName\s*=\s*DeleteVpc.+\$\.eventName\s*=\s*ModifyVpcAttribute.+\$\.eventName\s*=\s*AcceptVpcPeeringConnection.+\$\.eventName\s*=\s*CreateVpcPeeringConnection.+\$\.eventName\s*=\s*DeleteVpcPeeringConnection.+\$\.eventName\s*=\s*RejectVpcPeeringConnection.+\$\.eventName\s*=\s*AttachClassicLinkVpc.+\$\.eventName\s*=\s*DetachClassicLinkVpc.+\$\.eventName\s*=\s*DisableVpcClassicLink.+\$\.eventName\s*=\s*EnableVpcClassicLink`),
	}
}

// presetPatterns maps each control to the pattern the cis-aws-foundations preset sends.
func presetPatterns(t *testing.T) map[string]string {
	t.Helper()
	p, err := Lookup(CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range p.Alarms {
		out[a.Control] = a.Pattern
	}
	return out
}

// checkScanner runs one scanner's rules against every preset pattern. Each rule must accept its
// own control's pattern (unless the control is in wantFail, the scanner's documented
// disagreements with Security Hub) and reject the other thirteen, which shows the port is not a
// rule that accepts anything.
func checkScanner(t *testing.T, rules map[string]rule, wantFail []string) {
	t.Helper()
	patterns := presetPatterns(t)
	if len(rules) != 14 {
		t.Fatalf("%d rules, want one per control", len(rules))
	}
	var failed []string
	for control, r := range rules {
		for other, text := range patterns {
			ok := r.matches(text)
			switch {
			case other == control && !ok:
				failed = append(failed, control)
			case other != control && ok:
				t.Errorf("%s (for %s) accepts the pattern of %s: %q", r.check, control, other, text)
			}
		}
	}
	sort.Strings(failed)
	sort.Strings(wantFail)
	if d := cmp.Diff(wantFail, failed); d != "" {
		t.Errorf("controls whose preset pattern the scanner fails (-want +got):\n%s", d)
	}
}

// TestPresetPassesProwler: both generations of Prowler's rules accept every preset pattern —
// CloudWatch.13 included, whose ec2 eventSource clause Prowler requires.
func TestPresetPassesProwler(t *testing.T) {
	t.Run("order-independent", func(t *testing.T) { checkScanner(t, prowlerNow(), nil) })
	t.Run("ordered", func(t *testing.T) { checkScanner(t, prowlerOrdered(), nil) })
}

// TestPresetAgainstSteampipe: Steampipe accepts twelve of the fourteen. It fails two controls
// whatever pattern Security Hub would accept, because it asks for more than the control allows:
//   - CloudWatch.2: it requires the CIS v1.4.0 4.1 terms ($.sourceIPAddress != delivery.logs…,
//     $.eventName != HeadBucket), which Security Hub, checking CIS v1.2.0 3.1 exactly, fails;
//   - CloudWatch.10: it requires ModifySecurityGroupRules, which no published CloudWatch.10 or
//     CIS v1.2.0/v1.4.0 text has.
//
// One metric filter cannot satisfy both there; the preset follows Security Hub.
func TestPresetAgainstSteampipe(t *testing.T) {
	checkScanner(t, steampipe(), []string{"CloudWatch.2", "CloudWatch.10"})
}

// TestScannerRulesRejectCISWithoutEventSource: the reason the preset's CloudWatch.13 differs from
// the CIS text — Prowler fails the CIS route-table pattern — holds for the ported rules too.
func TestScannerRulesRejectCISWithoutEventSource(t *testing.T) {
	var cis string
	for _, c := range CISControls() {
		if c.ID == "CloudWatch.13" {
			cis = c.Variants[len(c.Variants)-1]
		}
	}
	for name, rules := range map[string]map[string]rule{"now": prowlerNow(), "ordered": prowlerOrdered()} {
		if rules["CloudWatch.13"].matches(cis) {
			t.Errorf("Prowler (%s) accepts the CIS route-table pattern %q; the preset's ec2 clause would be unnecessary", name, cis)
		}
	}
	if !steampipe()["CloudWatch.13"].matches(cis) {
		t.Errorf("Steampipe rejects the CIS route-table pattern %q", cis)
	}
}
