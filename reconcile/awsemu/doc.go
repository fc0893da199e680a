// Package awsemu is an in-memory AWS that answers the unmodified aws-sdk-go-v2 clients over the
// real wire protocols — CloudWatch over Smithy RPC v2 CBOR (the SDK's default), awsJson 1.0 and
// awsQuery; CloudWatch Logs, CloudTrail, KMS and the Resource Groups Tagging API over awsJson 1.1;
// SNS over awsQuery — with AWS's error shapes and codes, pagination and validation. It also runs
// the detection pipeline that the AWS Well-Architected KMS lab tests by hand, on an emulated clock
// that tests advance: every API call becomes a CloudTrail record; a logging trail whose event
// selectors include it delivers the record to its log group; metric filters turn log events into
// per-minute datapoints; alarms evaluate and publish state changes to SNS; confirmed
// subscriptions receive the notification in an outbox.
//
// Layout: the wire layer (handler.go routing, value.go the generic tree and typed decode,
// cbor.go, query.go, errors.go), identity and audit (principals.go, audit.go), one file or more
// per service (svc_*.go), the pipeline bus (emulator.go), instrumentation (stats.go, faults).
//
// Writing a service: a handler is an opFunc — it runs with the emulator's lock held, decodes its
// typed input with c.decode(&in) (struct fields named by `json` tags spelling the model's member
// names), returns a typed output struct the same way, or an *APIError with AWS's shape name (Type),
// query code (Code, when different) and status. Services talk to each other only through e.bus
// and e.tags.
//
// Test surface:
//   - lifecycle: New, Start (a loopback Server), HTTPClient (the SDK HTTP client to use against it:
//     it works around a smithy-go request-body race that loopback speeds make frequent);
//   - the world the spec presumes: SeedBucket, SeedRole; who calls: AddUser, AddRoleSession
//     (an ECS task role's session); KMS key policies stand-in: DenyKMS, AllowKMS;
//   - time: Now, Advance (runs the pipeline minute by minute);
//   - what was said: Outbox (every notification and confirmation request SNS sent),
//     ConfirmPending (clicking the email link);
//   - cost and faults: Calls, CallLog, ResetCalls, WriteCalls, ReadOnly, InjectFault, ClearFaults,
//     EnableQuotas, DisableQuotas, SetQuota (AWS's default request rates, on the real clock).
package awsemu
