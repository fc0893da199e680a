package core

// Organization is the AWS Organization the emulator's account belongs to, reduced to what
// CloudTrail depends on: who may create an organization trail, and whose events such a trail
// delivers. Only the emulator's own account holds resources (trails, log groups, alarms, topics);
// the other member accounts exist as callers — their principals' calls, and the records given to
// World.Record, happen in them — and as the accounts whose events an organization trail of the
// management account delivers.
type Organization struct {
	// ID is the organization's id (o-…), which names an organization trail's log streams.
	ID string
	// Management is the management account's id.
	Management string
	// Members holds every account of the organization, the management account included.
	Members map[string]bool
	// AllFeatures is false for an organization that has only consolidated billing enabled,
	// which cannot have organization trails.
	AllFeatures bool
	// TrustedAccess is whether trusted access between CloudTrail and AWS Organizations is on.
	TrustedAccess bool
	// Unprivileged holds access keys whose principals lack the IAM and AWS Organizations
	// permissions (iam:GetRole, organizations:ListAWSServiceAccessForOrganization, …) that
	// CloudTrail checks before it makes a trail an organization trail.
	Unprivileged map[string]bool
}

// Has tells whether account is a member of the organization (the management account is one).
// A nil Organization has no members: the account is in none.
func (o *Organization) Has(account string) bool { return o != nil && o.Members[account] }

// PerAccount declares that service keeps each account's resources apart, so that principals of
// other accounts than the emulator's may call it: their calls act on their own account's
// resources. Calls of other accounts' principals to any other service are refused.
func (w *World) PerAccount(service string) { w.perAccount[service] = true }
