// Package cloudtrail is the emulated CloudTrail (service id "cloudtrail", awsJson 1.1, target
// prefix CloudTrail_20131101). It is the receiving end of the bus's Audit: every audited call
// reaches it as a record, the trails whose event selectors include the record deliver it, after
// the world's TrailDeliveryDelay on the emulated clock, to their bucket and log group (the bus's
// PutLogEvents) — or fail to, as GetTrailStatus then reports — and LookupEvents answers from the
// 90-day management-event history.
//
// Files: service.go (state, registration, trail lookup and names, the Endpoint), trails.go
// (trail lifecycle and status), selectors.go (event selectors and which records they include),
// tags.go (AddTags, RemoveTags, ListTags), delivery.go (the pipeline step: audited records to
// the trails' buckets and log groups, and the delivery errors), lookup.go (LookupEvents).
//
// A trail lives in its home region; a multi-region trail also shows, as a "shadow", in every
// other region, where it can be read but not changed (InvalidHomeRegionException).
//
// An organization trail (IsOrganizationTrail) can be made only by the management account of an
// organization with all features and CloudTrail's trusted access, by a caller with the
// dependency permissions (trails.go, mayOrganize, with CloudTrail's errors); it delivers the
// events of every member account too (delivery.go).
package cloudtrail
