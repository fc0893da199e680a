package awsemu

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// The world API of AWS Organizations and of events from services the emulator does not
// implement. The emulator holds one account's resources; an organization adds member accounts
// whose principals can call KMS (AddRoleSession with a role of the member's account) and whose
// events — those calls, and records given to RecordEvent — an organization trail of the
// management account delivers to its log group, with the member's account ids in
// recipientAccountId and userIdentity.accountId.

// Organization is an AWS Organization for the emulator's account to belong to. Its zero value,
// given to SetOrganization, is an organization of all features with CloudTrail's trusted access
// on, managed by the emulator's account, with no other member.
type Organization struct {
	// ID is the organization's id: "o-" and 10 to 32 lower-case letters or digits. Default: one
	// derived from the management account.
	ID string
	// ManagementAccount is the management account; default the emulator's account.
	ManagementAccount string
	// Members are the organization's other accounts (12-digit ids). The emulator's account must
	// be the management account or one of these.
	Members []string
	// ConsolidatedBillingOnly makes it an organization without all features, which cannot have
	// organization trails (OrganizationNotInAllFeaturesModeException).
	ConsolidatedBillingOnly bool
	// TrustedAccessDisabled leaves trusted access between CloudTrail and AWS Organizations off
	// (CloudTrailAccessNotEnabledException).
	TrustedAccessDisabled bool
	// UnprivilegedKeys are access keys whose principals lack the IAM and AWS Organizations
	// permissions CloudTrail checks before it creates an organization trail
	// (InsufficientDependencyServiceAccessPermissionException).
	UnprivilegedKeys []string
}

var (
	orgIDRE     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	accountIDRE = regexp.MustCompile(`^\d{12}$`)
)

// SetOrganization makes the emulator's account a member of o, replacing the organization it
// belonged to. It fails, changing nothing, for an id or account that AWS would not accept, or
// when the emulator's account is not in o.
func (e *Emulator) SetOrganization(o Organization) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o.ManagementAccount == "" {
		o.ManagementAccount = e.w.Account
	}
	if o.ID == "" {
		sum := sha256.Sum256([]byte(o.ManagementAccount))
		o.ID = "o-" + hex.EncodeToString(sum[:5])
	}
	if !orgIDRE.MatchString(o.ID) {
		return fmt.Errorf("organization id %q: want o- and 10 to 32 lower-case letters or digits", o.ID)
	}
	org := &core.Organization{ID: o.ID, Management: o.ManagementAccount, Members: map[string]bool{},
		AllFeatures: !o.ConsolidatedBillingOnly, TrustedAccess: !o.TrustedAccessDisabled, Unprivileged: map[string]bool{}}
	for _, acct := range append([]string{o.ManagementAccount}, o.Members...) {
		if !accountIDRE.MatchString(acct) {
			return fmt.Errorf("organization account %q: want a 12-digit account id", acct)
		}
		org.Members[acct] = true
	}
	if !org.Members[e.w.Account] {
		return fmt.Errorf("the emulator's account %s is not in the organization: make it the management account or a member", e.w.Account)
	}
	for _, k := range o.UnprivilegedKeys {
		org.Unprivileged[k] = true
	}
	e.w.Org = org
	return nil
}

// LeaveOrganization makes the emulator's account belong to no organization (the default): an
// organization trail then delivers only the account's own events, and creating one fails with
// OrganizationsNotInUseException.
func (e *Emulator) LeaveOrganization() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Org = nil
}

// RecordEvent makes a CloudTrail record happen now, as if the call it records had just been
// made: record is one CloudTrail record as CloudTrail writes it (a JSON object), typically of a
// service the emulator does not implement — a console sign-in, an IAM policy change, a security
// group change. Its eventTime becomes Now; the trails whose event selectors include it
// (management or data event, read-only or not, excluded event sources) deliver it to their log
// groups as Advance runs the pipeline, where metric filters count it and alarms evaluate. It must
// name its eventSource, eventName, awsRegion and recipientAccountId (the emulator's account or a
// member of its organization) and say managementEvent or eventCategory; a record without
// readOnly counts as a write.
func (e *Emulator) RecordEvent(record []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.w.Record(record)
}
