// Package core is what the emulated services share: the World (account, default region,
// emulated clock, tag store, principals, seeded buckets and roles, operation handlers and
// pipeline ticks), the Call a handler receives, the Bus that carries the pipeline between
// services (CloudTrail records, log events, metric datapoints, SNS publications), and the
// CloudTrail record every audited call becomes.
//
// Services talk to each other only through the Bus and the TagStore, never by importing one
// another. Everything here runs under the emulator's single lock and does no locking itself.
package core
