package cloudtrail

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// Delivery. Every audited call, and every record given to the world's Record, reaches capture
// (w.Bus.Audit) as it happens. The trails that log it are decided then, as CloudTrail does: the
// trail is logging (or is the one this very StopLogging call stops), covers the record's region
// (its home region, or any region when multi-region), sees the record's account (the emulator's
// own; a member account's only through an organization trail of the management account) and its
// event selectors include the record. A captured record is delivered w.TrailDeliveryDelay after
// its eventTime (CloudTrail "typically delivers logs within an average of about 5 minutes of an
// API call"), in the batch of the first whole minute at or past that instant, to each such trail
// that still exists: in order, to its S3 bucket and, when the trail sends to CloudWatch Logs (a
// log group ARN and a role), to its log group — one log event per record, its CloudTrail JSON, in
// the stream <account>_CloudTrail_<region of the record>, for an organization trail prefixed with
// the organization's id, as the role policy for organization trails allows (log-stream:o-<id>_*,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
// The log event is timestamped when it is delivered: CloudWatch Logs shows CloudTrail's events at
// their delivery time, and the record's eventTime says when the call was made; so a metric filter
// counts an event in the minute it arrived, where an alarm that looks back only a few periods
// still sees it. A record over 256 KB is not sent to CloudWatch Logs, as AWS does.
//
// The two deliveries fail independently, and GetTrailStatus says so, as AWS does:
//   - S3 (LatestDeliveryError, with the attempt and success times): "NoSuchBucket" when the
//     bucket is gone; with a KmsKeyId, the key's state as S3 reports SSE-KMS failures —
//     "KMS.DisabledException", "KMS.KMSInvalidStateException" (pending deletion),
//     "KMS.NotFoundException". The error text stays after a later success; the attempt times
//     say it is no longer current. Digest files (log file validation) go hourly to the same
//     bucket, with the same failures (LatestDigestDeliveryError, cleared by a success).
//   - CloudWatch Logs (LatestCloudWatchLogsDeliveryError, cleared by a success): the role does not
//     exist or cannot be assumed, the role may not write to the log group (World.LogsDenied), or
//     the log group does not exist. The records of a failed delivery are lost to the log group.
// The error texts are the emulator's, in the form of the underlying services' error codes and
// messages; AWS's exact wording of these fields is not documented.

// maxDeliveredRecord is CloudTrail's limit for an event sent to CloudWatch Logs.
const maxDeliveredRecord = 256 * 1024

// historyRetention is how long LookupEvents can see an event; maxHistory bounds the emulator's
// memory (a shortcut: AWS keeps every event of the 90 days).
const (
	historyRetention = 90 * 24 * time.Hour
	maxHistory       = 10000
)

// deliveryStatus is one destination's delivery record, as GetTrailStatus reports it.
type deliveryStatus struct {
	attempt, success time.Time
	err              string
}

func (d *deliveryStatus) record(at time.Time, err string) {
	d.attempt = at
	if err != "" {
		d.err = err
		return
	}
	d.success = at
}

type capturedRecord struct {
	rec     core.AuditRecord
	region  string
	account string
	trails  []string // ARNs
}

func (s *cloudTrailService) capture(rec core.AuditRecord) {
	region, _ := rec.Record["awsRegion"].(string)
	if region == "" {
		region = s.w.Region
	}
	acct := rec.Account
	if acct == "" {
		acct = s.w.Account
	}
	if acct == s.w.Account {
		// Event history is the account's own: LookupEvents never shows a member's events.
		s.remember(region, rec)
	}
	var arns []string
	for _, arn := range s.sortedARNs() {
		t := s.trails[arn]
		if !t.logging && s.stopping != arn {
			continue
		}
		if t.region != region && !t.multiRegion {
			continue
		}
		if acct != s.w.Account && !s.logsMember(t, acct) {
			continue
		}
		if t.selects(rec) {
			arns = append(arns, arn)
		}
	}
	s.stopping = ""
	if len(arns) > 0 {
		s.pending = append(s.pending, capturedRecord{rec: rec, region: region, account: acct, trails: arns})
	}
}

// logsMember tells whether trail t logs the events of another account: t is an organization
// trail, the emulator's account is still its organization's management account, and acct is a
// member of that organization.
func (s *cloudTrailService) logsMember(t *trail, acct string) bool {
	org := s.w.Org
	return t.org && org.Has(acct) && org.Management == s.w.Account
}

// stream is the log stream trail t delivers a record of account acct, made in region, to.
func (s *cloudTrailService) stream(t *trail, acct, region string) string {
	name := acct + "_CloudTrail_" + region
	if t.org && s.w.Org != nil {
		name = s.w.Org.ID + "_" + name
	}
	return name
}

func (s *cloudTrailService) sortedARNs() []string {
	out := make([]string, 0, len(s.trails))
	for a := range s.trails {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// streamBatch is the log events bound for one stream of a trail's log group, in record order.
type streamBatch struct {
	stream string
	events []core.LogEvent
}

// deliver is the tick. CloudTrail delivers in batches, here on the minute: at the minute boundary
// the tick reaches (Advance steps are at most a minute, so there is at most one), the records due
// by then go to their trails' buckets and log groups, and at an hour's boundary the digest files
// of the trails that validate go to their buckets.
func (s *cloudTrailService) deliver(from, to time.Time) {
	at := to.Truncate(time.Minute)
	if !at.After(from) {
		return
	}
	n := 0
	for n < len(s.pending) && !s.pending[n].rec.Time.Add(s.w.TrailDeliveryDelay).After(at) {
		n++
	}
	perTrail := s.batches(s.pending[:n], at)
	hourly := at.Equal(at.Truncate(time.Hour))
	for _, arn := range s.sortedARNs() {
		t := s.trails[arn]
		if hourly && t.validation && t.logging {
			t.digest.record(at, s.s3Error(t))
			if t.digest.success.Equal(at) {
				t.digest.err = ""
			}
		}
		bs := perTrail[arn]
		if len(bs) == 0 {
			continue
		}
		t.s3.record(at, s.s3Error(t))
		if t.cwGroup != "" {
			s.deliverToLogs(t, bs, at)
		}
	}
	s.pending = append(s.pending[:0:0], s.pending[n:]...)
}

// batches groups due records per trail, then per stream, keeping record order; each log event is
// stamped with the delivery time.
func (s *cloudTrailService) batches(due []capturedRecord, at time.Time) map[string][]*streamBatch {
	perTrail := map[string][]*streamBatch{}
	for _, cr := range due {
		body, err := json.Marshal(cr.rec.Record)
		if err != nil || len(body) > maxDeliveredRecord {
			continue
		}
		for _, arn := range cr.trails {
			t := s.trails[arn]
			if t == nil {
				continue // deleted since: its undelivered records went with it
			}
			stream := s.stream(t, cr.account, cr.region)
			bs := perTrail[arn]
			var b *streamBatch
			for _, x := range bs {
				if x.stream == stream {
					b = x
				}
			}
			if b == nil {
				b = &streamBatch{stream: stream}
				perTrail[arn] = append(bs, b)
			}
			b.events = append(b.events, core.LogEvent{Time: at, Message: string(body)})
		}
	}
	return perTrail
}

// s3Error is what writing a log file to the trail's bucket fails with now, "" when it succeeds.
func (s *cloudTrailService) s3Error(t *trail) string {
	if !s.w.Buckets[t.bucket] {
		return "NoSuchBucket"
	}
	if t.kmsKeyID == "" || s.w.Bus.KeyState == nil {
		return ""
	}
	switch state, ok := s.w.Bus.KeyState(t.kmsKeyID); {
	case !ok:
		return "KMS.NotFoundException"
	case state == "Disabled":
		return "KMS.DisabledException"
	case state != "Enabled":
		return "KMS.KMSInvalidStateException"
	}
	return ""
}

// deliverToLogs sends a trail's due batches to its log group as the trail's role.
func (s *cloudTrailService) deliverToLogs(t *trail, bs []*streamBatch, to time.Time) {
	switch {
	case !s.w.Roles[t.cwRole]:
		t.latestCWLError = "InvalidCloudWatchLogsRoleArnException: CloudTrail cannot assume role " + t.cwRole
		return
	case s.w.LogsDenied[t.cwRole]:
		t.latestCWLError = "AccessDeniedException: User: " + assumedRole(t.cwRole) + " is not authorized to perform: logs:PutLogEvents on resource: " + t.cwGroup
		return
	case s.w.Bus.PutLogEvents == nil:
		return
	}
	for _, b := range bs {
		if err := s.w.Bus.PutLogEvents(t.cwGroup, b.stream, b.events); err != nil {
			t.latestCWLError = "ResourceNotFoundException: The specified log group does not exist."
			return
		}
	}
	t.latestCWL, t.latestCWLError = to, ""
}

// assumedRole is the session ARN CloudTrail works as when it assumes role (arn:…:role/path/name).
func assumedRole(role string) string {
	parts := strings.SplitN(role, ":", 6)
	if len(parts) != 6 {
		return role
	}
	name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	return "arn:aws:sts::" + parts[4] + ":assumed-role/" + name + "/CloudTrailSession"
}

// remember keeps the record for LookupEvents, dropping events older than 90 days.
func (s *cloudTrailService) remember(region string, rec core.AuditRecord) {
	h := append(s.history[region], rec)
	cut := max(0, len(h)-maxHistory)
	for cut < len(h) && h[cut].Time.Before(rec.Time.Add(-historyRetention)) {
		cut++
	}
	s.history[region] = h[cut:]
}
