package awsemu

import (
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/sns"
)

// The world API: what the spec presumes exists (buckets, roles), who calls (access keys mapped
// to principals), KMS key policies, the emulated clock, and what SNS said. The sandbox and the
// demo build their world with it; it is not part of the AWS surface.

// SeedBucket makes an S3 bucket exist, as a trail's bucket must: a real bucket of the
// emulated S3, which objects can be written to (a lease, a spec).
func (e *Emulator) SeedBucket(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.s3.CreateBucket(name)
}

// SeedRole makes an IAM role exist, as a trail's CloudWatch Logs role must.
func (e *Emulator) SeedRole(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Roles[arn] = true
}

// DeleteBucket makes an S3 bucket disappear, as `aws s3 rb` does: CloudTrail's deliveries to it
// fail with NoSuchBucket from then on (GetTrailStatus LatestDeliveryError).
func (e *Emulator) DeleteBucket(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.w.Buckets, name)
}

// DeleteRole makes an IAM role disappear: CloudTrail can no longer assume it to deliver to
// CloudWatch Logs (GetTrailStatus LatestCloudWatchLogsDeliveryError).
func (e *Emulator) DeleteRole(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.w.Roles, arn)
}

// DenyRoleLogs takes logs:CreateLogStream and logs:PutLogEvents away from a role: CloudTrail still
// assumes it, and its deliveries to CloudWatch Logs fail with AccessDeniedException.
// AllowRoleLogs gives them back.
func (e *Emulator) DenyRoleLogs(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.LogsDenied[arn] = true
}

// AllowRoleLogs undoes DenyRoleLogs.
func (e *Emulator) AllowRoleLogs(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.w.LogsDenied, arn)
}

// SetTrailDeliveryDelay sets how long CloudTrail takes from a call to delivering its record; 0
// delivers at the next tick. Records already captured keep their call time: a shorter delay
// makes them due sooner.
func (e *Emulator) SetTrailDeliveryDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.TrailDeliveryDelay = max(d, 0)
}

// AddUser makes requests signed with accessKey come from IAM user userName. Requests signed with
// a key nobody added come from the IAM user "emulator-user".
func (e *Emulator) AddUser(accessKey, userName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.AddUser(accessKey, userName)
}

// AddRoleSession makes requests signed with accessKey come from a session of roleArn, as an ECS
// task's role credentials do: userIdentity.arn is the assumed-role ARN and
// userIdentity.sessionContext.sessionIssuer.arn is roleArn. The session belongs to the account
// roleArn names: a role of a member account of the organization (SetOrganization) makes calls
// in that account — KMS only, which keeps each account's keys apart; the emulator refuses its
// calls to the services whose resources it holds for its own account alone.
func (e *Emulator) AddRoleSession(accessKey, roleArn, sessionName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.AddRoleSession(accessKey, roleArn, sessionName)
}

// DenyKMS makes the identity policies of the principal signing with accessKey deny the given
// KMS actions ("Decrypt", "kms:Encrypt"; none means every action): its calls fail with
// AccessDeniedException as AWS words it, and CloudTrail records the failure.
func (e *Emulator) DenyKMS(accessKey string, actions ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kms.Deny(accessKey, actions...)
}

// AllowKMS lifts every DenyKMS for accessKey.
func (e *Emulator) AllowKMS(accessKey string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kms.Allow(accessKey)
}

// Now is the emulated time. It only moves when Advance is called, so tests and the demo control
// when CloudTrail delivers, metric filters count, alarms evaluate and subscriptions expire.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.w.Now
}

// Advance moves the emulated clock forward by d and runs the pipeline for the time that passed,
// in steps of at most one minute so that every per-minute boundary is seen in order: CloudTrail
// delivery, metric-filter datapoints, alarm evaluation, subscription expiry.
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Advance(d)
}

// Delivery is one message SNS would have sent: a notification to a confirmed subscription, or a
// confirmation request to a subscription that needs one.
type Delivery = sns.Delivery

// Outbox returns every delivery made so far, oldest first.
func (e *Emulator) Outbox() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sns.Outbox()
}

// ConfirmPending confirms the pending subscription of topicArn with that protocol and endpoint,
// as clicking the link in the confirmation email (or an http endpoint visiting SubscribeURL)
// does; such a confirmation is not authenticated. Confirming a confirmed subscription is a no-op.
func (e *Emulator) ConfirmPending(topicArn, protocol, endpoint string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sns.ConfirmPending(topicArn, protocol, endpoint)
}
