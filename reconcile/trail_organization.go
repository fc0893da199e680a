package reconcile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// Organization trails. spec.trail.organization: true makes the Monitor's trail an organization
// trail (IsOrganizationTrail): it logs every account of the AWS Organization into the Monitor's
// log group, where match.accounts tells the accounts apart. Only the organization's management
// account can have one whose log group, filters and alarms sit beside it: a trail that a
// CloudTrail delegated administrator creates belongs to the management account
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html),
// while kmswatch keeps the whole chain in the account it runs in. So kmswatch runs in the
// management account; anywhere else, CloudTrail's refusal is explained (trailWriteError), and
// an organization trail of the desired name that another account owns is a conflict, never
// written (foreignTrail).

// organizationFixes says, for each error CloudTrail answers a write of an organization trail
// with, what the account lacks and what to do. None of them goes away by retrying: each needs a
// change in AWS Organizations, IAM or the spec. "%[1]s" is the account kmswatch runs in. The
// conditions are CloudTrail's API reference's:
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
var organizationFixes = map[string]string{
	"OrganizationsNotInUseException": "account %[1]s is not in an AWS Organization, and an organization trail logs one: " +
		"run kmswatch in an organization's management account, or set spec.trail.organization: false",
	"OrganizationNotInAllFeaturesModeException": "the organization of account %[1]s has only consolidated billing, and organization trails " +
		"need all features: enable all features in AWS Organizations, or set spec.trail.organization: false",
	"NotOrganizationMasterAccountException":     notManagement,
	"NotOrganizationManagementAccountException": notManagement,
	"CloudTrailAccessNotEnabledException": "trusted access between CloudTrail and AWS Organizations is not enabled: enable it in the " +
		"management account (aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com)",
	"NoManagementAccountSLRExistsException": "the organization's management account has no CloudTrail service-linked role " +
		"(AWSServiceRoleForCloudTrail): CloudTrail creates it when the management account itself creates an organization " +
		"trail or registers a delegated administrator, so run kmswatch in the management account",
	"InsufficientDependencyServiceAccessPermissionException": "kmswatch's principal in account %[1]s lacks the IAM and AWS Organizations " +
		"permissions CloudTrail checks before it creates an organization trail: grant iam:GetRole, iam:CreateServiceLinkedRole, " +
		"organizations:DescribeOrganization and organizations:ListAWSServiceAccessForOrganization (examples/iam-policy.md)",
}

const notManagement = "account %[1]s is not its organization's management account: an organization trail belongs to the " +
	"management account, and kmswatch keeps the trail, its log group and its alarms in the account it runs in, so run " +
	"kmswatch there, or set spec.trail.organization: false"

// trailWriteError wraps the error of a trail write (what: "create trail NAME") and, when it is
// CloudTrail's refusal of an organization trail, makes it a terminal error that says what to fix.
func trailWriteError(what string, err error, account string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if fix, ok := organizationFixes[ae.ErrorCode()]; ok {
			return &TerminalError{Err: fmt.Errorf("%s: %s: %w", what, fmt.Sprintf(fix, account), err)}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// foreignTrail is why kmswatch cannot write a trail of the desired name that another account
// owns — an organization trail of the management account, seen from a member account — or ""
// when the trail is the account's own.
func foreignTrail(want, got *Trail) string {
	owner, self := arnAccount(got.ARN), arnAccount(want.ARN)
	if owner == "" || owner == self {
		return ""
	}
	what := "a trail"
	if got.Organization != nil && *got.Organization {
		what = "an organization trail"
	}
	return fmt.Sprintf("%s of account %s has this name; kmswatch manages only trails of the account it runs in (%s): "+
		"run it in account %s, or name another trail", what, owner, self, owner)
}

// arnAccount is the account field of an ARN ("" when arn is not one).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
