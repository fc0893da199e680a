package cloudtrail

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// Delivery. Every audited call, and every record given to the world's Record, reaches capture
// (w.Bus.Audit) as it happens. The trails that log it are decided then, as CloudTrail does: the
// trail is logging (or is the one this very StopLogging call stops), covers the record's region
// (its home region, or any region when multi-region), sees the record's account (the emulator's
// own; a member account's only through an organization trail of the management account) and its
// event selectors include the record. At each tick the captured records with a time at or before
// the tick's end are delivered, in order, to each such trail that still exists and sends to
// CloudWatch Logs (a log group ARN and a role that exists): one log event per record, its
// CloudTrail JSON, timestamped with eventTime, in the stream <account>_CloudTrail_<region of the
// record> — for an organization trail prefixed with the organization's id, as the role policy
// for organization trails allows (log-stream:o-<id>_*,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
// A record over 256 KB is not sent, as AWS does.

// maxDeliveredRecord is CloudTrail's limit for an event sent to CloudWatch Logs.
const maxDeliveredRecord = 256 * 1024

// historyRetention is how long LookupEvents can see an event; maxHistory bounds the emulator's
// memory (a shortcut: AWS keeps every event of the 90 days).
const (
	historyRetention = 90 * 24 * time.Hour
	maxHistory       = 10000
)

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

// deliver is the tick: records up to `to` go to their trails' log groups.
func (s *cloudTrailService) deliver(_, to time.Time) {
	n := 0
	for n < len(s.pending) && !s.pending[n].rec.Time.After(to) {
		n++
	}
	if n == 0 {
		return
	}
	due := s.pending[:n]
	// batches per trail, then per stream, keep record order.
	type batch struct {
		stream string
		events []core.LogEvent
	}
	perTrail := map[string][]*batch{}
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
			var b *batch
			for _, x := range bs {
				if x.stream == stream {
					b = x
				}
			}
			if b == nil {
				b = &batch{stream: stream}
				perTrail[arn] = append(bs, b)
			}
			b.events = append(b.events, core.LogEvent{Time: cr.rec.Time, Message: string(body)})
		}
	}
	for _, arn := range s.sortedARNs() {
		t, bs := s.trails[arn], perTrail[arn]
		if len(bs) == 0 {
			continue
		}
		// The S3 side always receives the trail's records.
		t.latestDelivery = to
		if t.cwGroup == "" {
			continue
		}
		if !s.w.Roles[t.cwRole] {
			t.latestCWLError = "InvalidCloudWatchLogsRoleArnException: CloudTrail cannot assume role " + t.cwRole
			continue
		}
		if s.w.Bus.PutLogEvents == nil {
			continue
		}
		failed := false
		for _, b := range bs {
			if err := s.w.Bus.PutLogEvents(t.cwGroup, b.stream, b.events); err != nil {
				t.latestCWLError = "ResourceNotFoundException: The specified log group does not exist."
				failed = true
				break
			}
		}
		if !failed {
			t.latestCWL, t.latestCWLError = to, ""
		}
	}
	s.pending = append(s.pending[:0:0], s.pending[n:]...)
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
