// Package core is what the emulated services share: the World (account, default region,
// emulated clock, tag store, principals, seeded buckets and roles, the organization, operation
// handlers and pipeline ticks), the Call a handler receives, the Bus that carries the pipeline
// between services (CloudTrail records, log events, metric datapoints, SNS publications), the
// CloudTrail record every audited call becomes, and Record, which makes a given CloudTrail
// record happen (events of services not emulated).
//
// Principals belong to an account: the World's, or a member account of its organization. A
// service that keeps each account's resources apart says so (World.PerAccount) and scopes its
// state by Call.Account; principals of other accounts cannot call the rest.
//
// Services talk to each other only through the Bus and the TagStore, never by importing one
// another. Everything here runs under the emulator's single lock and does no locking itself.
package core
