package presets

// securityHubPage is where AWS publishes the controls and their remediation patterns.
const securityHubPage = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"

// Control is one of the AWS Security Hub controls CloudWatch.1 to CloudWatch.14: the monitoring
// section of the CIS AWS Foundations Benchmark (v1.2.0 section 3, v1.4.0 section 4) as Security
// Hub checks it.
type Control struct {
	// ID is Security Hub's control id, e.g. "CloudWatch.7".
	ID    string
	Title string
	// CIS lists the benchmark recommendations Security Hub maps the control to.
	CIS []string
	// Pattern is the metric filter pattern as the Security Hub page publishes it for the
	// control, byte for byte (testdata/cis-cloudwatch.json records it with its source).
	Pattern string
	// Variants are the control's other published texts: the CIS Benchmark's own (as the
	// benchmark prints it, which for most controls differs from Pattern only in spacing) and,
	// where it differs, the Security Hub page's 2023 revision.
	Variants []string

	alarm, metric, what string
}

// URL is the control's section of the Security Hub user guide.
func (c Control) URL() string {
	return securityHubPage + "#cloudwatch-" + c.ID[len("CloudWatch."):]
}

// Texts is Pattern followed by Variants: every published text of the control.
func (c Control) Texts() []string {
	return append([]string{c.Pattern}, c.Variants...)
}

// AlarmName is the name of the alarm (and metric filter) the cis-aws-foundations preset creates
// for the control.
func (c Control) AlarmName() string { return c.alarm }

// CISControls returns the fourteen controls, in order.
func CISControls() []Control {
	return append([]Control(nil), cisControls...)
}

// cisControls are the controls with the preset's names for them. The alarm and metric filter are
// named cis-cloudwatch-<N>-<what>, after Security Hub's control id, which (unlike the CIS
// recommendation numbers, 3.x in v1.2.0 and 4.x in v1.4.0) has not changed between benchmark
// versions; the metric is CISBenchmark/<Name>, the namespace the CIS remediation steps use.
//
// Each Pattern is Security Hub's published text. Where a widely used scanner rule asks for more,
// the comment on the entry says how the pattern satisfies both; presets_scanners_test.go runs
// Prowler's and Steampipe's rules against every pattern.
var cisControls = []Control{
	{
		ID:      "CloudWatch.1",
		Title:   "A log metric filter and alarm should exist for usage of the \"root\" user",
		CIS:     []string{"v1.2.0/1.1", "v1.2.0/3.3", "v1.4.0/1.7", "v1.4.0/4.3"},
		Pattern: `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`,
		Variants: []string{
			`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
		},
		alarm: "cis-cloudwatch-1-root-user-usage", metric: "RootUserUsage", what: "usage of the root user",
	},
	{
		ID:      "CloudWatch.2",
		Title:   "Ensure a log metric filter and alarm exist for unauthorized API calls",
		CIS:     []string{"v1.2.0/3.1"},
		Pattern: `{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
		Variants: []string{
			`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`,
		},
		alarm: "cis-cloudwatch-2-unauthorized-api-calls", metric: "UnauthorizedAPICalls", what: "API calls denied as unauthorized",
	},
	{
		ID:      "CloudWatch.3",
		Title:   "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
		CIS:     []string{"v1.2.0/3.2"},
		Pattern: `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
		Variants: []string{
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`,
		},
		alarm: "cis-cloudwatch-3-console-signin-without-mfa", metric: "ConsoleSigninWithoutMFA", what: "Management Console sign-in without MFA",
	},
	// CloudWatch.4: Security Hub's page publishes this pattern limited to iam.amazonaws.com
	// ("Our recommended filter pattern ... differs from the filter pattern in the CIS guidance");
	// the CIS text and the page's 2023 revision match the event names from any service. The
	// IAM-only pattern is the one published now, still passes Prowler's and Steampipe's rules
	// (they look for the event names, in CIS order, and not for the absence of $.eventSource),
	// and loses only same-named calls of other services.
	{
		ID:      "CloudWatch.4",
		Title:   "Ensure a log metric filter and alarm exist for IAM policy changes",
		CIS:     []string{"v1.2.0/3.4", "v1.4.0/4.4"},
		Pattern: `{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}`,
		Variants: []string{
			`{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`,
			`{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`,
		},
		alarm: "cis-cloudwatch-4-iam-policy-changes", metric: "IAMPolicyChanges", what: "IAM policy changes",
	},
	{
		ID:      "CloudWatch.5",
		Title:   "Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
		CIS:     []string{"v1.2.0/3.5", "v1.4.0/4.5"},
		Pattern: `{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`,
		Variants: []string{
			`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`,
		},
		alarm: "cis-cloudwatch-5-cloudtrail-changes", metric: "CloudTrailChanges", what: "CloudTrail configuration changes",
	},
	{
		ID:      "CloudWatch.6",
		Title:   "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
		CIS:     []string{"v1.2.0/3.6", "v1.4.0/4.6"},
		Pattern: `{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`,
		Variants: []string{
			`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`,
		},
		alarm: "cis-cloudwatch-6-console-auth-failures", metric: "ConsoleAuthenticationFailures", what: "Management Console authentication failures",
	},
	{
		ID:      "CloudWatch.7",
		Title:   "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys",
		CIS:     []string{"v1.2.0/3.7", "v1.4.0/4.7"},
		Pattern: `{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`,
		Variants: []string{
			`{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`,
		},
		alarm: "cis-cloudwatch-7-cmk-disable-or-deletion", metric: "DisableOrDeleteCMK", what: "customer managed keys disabled or scheduled for deletion",
	},
	{
		ID:      "CloudWatch.8",
		Title:   "Ensure a log metric filter and alarm exist for S3 bucket policy changes",
		CIS:     []string{"v1.2.0/3.8", "v1.4.0/4.8"},
		Pattern: `{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`,
		Variants: []string{
			`{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`,
		},
		alarm: "cis-cloudwatch-8-s3-bucket-policy-changes", metric: "S3BucketPolicyChanges", what: "S3 bucket policy changes",
	},
	{
		ID:      "CloudWatch.9",
		Title:   "Ensure a log metric filter and alarm exist for AWS Config configuration changes",
		CIS:     []string{"v1.2.0/3.9", "v1.4.0/4.9"},
		Pattern: `{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}`,
		Variants: []string{
			`{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }`,
		},
		alarm: "cis-cloudwatch-9-config-changes", metric: "AWSConfigChanges", what: "AWS Config configuration changes",
	},
	{
		ID:      "CloudWatch.10",
		Title:   "Ensure a log metric filter and alarm exist for security group changes",
		CIS:     []string{"v1.2.0/3.10", "v1.4.0/4.10"},
		Pattern: `{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`,
		Variants: []string{
			`{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`,
		},
		alarm: "cis-cloudwatch-10-security-group-changes", metric: "SecurityGroupChanges", what: "security group changes",
	},
	{
		ID:      "CloudWatch.11",
		Title:   "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
		CIS:     []string{"v1.2.0/3.11", "v1.4.0/4.11"},
		Pattern: `{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}`,
		Variants: []string{
			`{ ($.eventName = CreateNetworkAcl) || ($.eventName =  CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`,
		},
		alarm: "cis-cloudwatch-11-nacl-changes", metric: "NACLChanges", what: "network ACL changes",
	},
	{
		ID:      "CloudWatch.12",
		Title:   "Ensure a log metric filter and alarm exist for changes to network gateways",
		CIS:     []string{"v1.2.0/3.12", "v1.4.0/4.12"},
		Pattern: `{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`,
		Variants: []string{
			`{($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`,
		},
		alarm: "cis-cloudwatch-12-network-gateway-changes", metric: "NetworkGatewayChanges", what: "network gateway changes",
	},
	// CloudWatch.13: Prowler's cloudwatch_changes_to_network_route_tables_alarm_configured
	// requires $.eventSource = ec2.amazonaws.com, which the CIS text and the Security Hub page's
	// 2023 revision lack. The page now publishes exactly this ec2-limited pattern, so one filter
	// is both byte-identical to Security Hub's text and accepted by Prowler (the old ordered
	// regex and the order-independent one of prowler-cloud/prowler#11345); Steampipe only looks
	// for the event names. What it no longer counts is other services' calls of the same names,
	// such as API Gateway's CreateRoute and DeleteRoute (semantics_test.go checks both sides).
	{
		ID:      "CloudWatch.13",
		Title:   "Ensure a log metric filter and alarm exist for route table changes",
		CIS:     []string{"v1.2.0/3.13", "v1.4.0/4.13"},
		Pattern: `{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable))}`,
		Variants: []string{
			`{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}`,
			`{($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`,
		},
		alarm: "cis-cloudwatch-13-route-table-changes", metric: "RouteTableChanges", what: "route table changes",
	},
	{
		ID:      "CloudWatch.14",
		Title:   "Ensure a log metric filter and alarm exist for VPC changes",
		CIS:     []string{"v1.2.0/3.14", "v1.4.0/4.14"},
		Pattern: `{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`,
		Variants: []string{
			`{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`,
		},
		alarm: "cis-cloudwatch-14-vpc-changes", metric: "VPCChanges", what: "VPC changes",
	},
}
