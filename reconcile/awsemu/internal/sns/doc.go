// Package sns is the emulated SNS (service id "sns", awsQuery, Version 2010-03-31): topics and
// subscriptions of every region, and the outbox of everything SNS would have delivered. It is
// the receiving end of the bus's Publish (alarm notifications).
//
// Files: service.go (state, registration, ARNs, page tokens, the Endpoint), topics.go (topic
// verbs and tags), subs.go (subscription verbs), deliver.go (Publish, the outbox, confirmation
// requests and the 48-hour expiry), filter.go (subscription filter policies).
package sns
