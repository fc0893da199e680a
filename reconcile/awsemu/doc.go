// Package awsemu is an in-memory AWS that answers the unmodified aws-sdk-go-v2 clients over the
// real wire protocols — CloudWatch over Smithy RPC v2 CBOR (the SDK's default), awsJson 1.0 and
// awsQuery; CloudWatch Logs, CloudTrail, KMS and the Resource Groups Tagging API over awsJson 1.1;
// SNS and STS (GetCallerIdentity) over awsQuery; the S3 subset of kmswatch's lease and spec
// source (buckets, objects with ETags, conditional requests, versions) over restXml, path-style —
// with AWS's error shapes and codes, pagination and validation. It also runs the detection
// pipeline that the AWS Well-Architected KMS lab tests by hand, on an emulated clock that tests
// advance: every API call becomes a CloudTrail record; a logging trail whose event selectors
// include it delivers the record to its log group after CloudTrail's delivery delay
// (DefaultTrailDeliveryDelay, five minutes, or Options and SetTrailDeliveryDelay), or fails to
// and says so in GetTrailStatus (a bucket or role gone, a role that may not write logs, a log
// group gone, the trail's KMS key disabled); CloudWatch Logs counts every ingestion in AWS/Logs
// IncomingLogEvents and IncomingBytes per log group; metric filters turn log events into
// per-minute datapoints; alarms evaluate and publish state changes to SNS; confirmed
// subscriptions receive the notification in an outbox.
//
// # Layout
//
// One folder per service, as moto and LocalStack are organised:
//
//	internal/wire        protocols (awsJson, awsQuery, RPC v2 CBOR, restXml), the generic value
//	                     tree and typed decode, APIError, the Router that tells services apart
//	internal/core        the World every service shares (clock, principals, tag store, seeded
//	                     buckets and roles, handlers, pipeline ticks), the Call, the Bus between
//	                     services, the CloudTrail record of each call
//	internal/cloudwatch, internal/logs, internal/cloudtrail, internal/sns, internal/kms,
//	internal/tagging, internal/sts, internal/s3
//	                     each service's handlers, state and part of the pipeline
//	(this package)       Emulator: New, ServeHTTP, Start/Server, HTTPClient, InProcessClient,
//	                     the world API, and Instruments (the test surface)
//
// Services talk to each other only through the World's Bus and TagStore. A handler is a
// core.OpFunc: it runs with the emulator's lock held, decodes its typed input with c.Decode(&in)
// (struct fields named by `json` tags spelling the model's member names), and returns a typed
// output struct, or a *wire.APIError with AWS's shape name (Type), query code (Code, when
// different) and status.
//
// # Surfaces
//
//   - AWS: ServeHTTP. Over a socket, Start (a loopback Server) with HTTPClient (it works around a
//     smithy-go request-body race that loopback speeds make frequent); within one process,
//     InProcessClient (no socket at all).
//   - World: the world the spec presumes, SeedBucket (a real S3 bucket), SeedRole, and how it breaks, DeleteBucket,
//     DeleteRole, DenyRoleLogs, AllowRoleLogs; who calls, AddUser, AddRoleSession (an ECS task
//     role's session; a role of a member account makes calls in that account); KMS key
//     policies, DenyKMS, AllowKMS; the organization, SetOrganization, LeaveOrganization; events
//     of services not emulated, RecordEvent; time, Now, Advance (runs the pipeline minute by
//     minute), SetTrailDeliveryDelay; what SNS said, Outbox, ConfirmPending.
//
// # Accounts
//
// The emulator holds the resources of one account (Options.AccountID). SetOrganization makes it
// the management account (or a member) of an AWS Organization with other member accounts. Those
// exist as callers and as the source of events: a member's principal calls KMS, which keeps
// each account's keys apart, in its own account (its calls to the other services are refused as
// not modelled); its calls and the records RecordEvent is given for it carry its account id; an
// organization trail of the management account delivers them to its log group, in streams
// named after the organization. A CloudTrail delegated administrator is not modelled.
//   - Test: e.Instruments() — Calls, CallLog (each call with its access key and principal),
//     ResetCalls, WriteCalls (classified by reconcile/awsop), InjectFault, ClearFaults,
//     EnableQuotas, DisableQuotas, SetQuota (AWS's default request rates, on the real clock);
//     and NewRecorder, an http.Handler in front of the emulator or of a proxy to moto that
//     records every call on the real clock, for tests of several processes.
//
// # Adding an operation
//
// To an existing service, e.g. SNS GetDataProtectionPolicy:
//
//  1. internal/sns/<concern>.go: the handler, a method func(c *core.Call) (any, error) with its
//     input and output structs; keep state changes in the service's own state, other services'
//     effects on the Bus, tags in w.Tags.
//  2. internal/sns/service.go: one line in Register's operation map.
//  3. reconcile/awsop: only if the operation's name does not tell a read from a write by its
//     prefix (Describe, Get, List, Lookup, Test, Filter are reads).
//  4. internal/core/audit.go: add it to notAudited if CloudTrail does not record it as a
//     management event (data-plane calls); quotas.go: its default request rate, if published.
//  5. A test through the SDK in this folder (<service>_test.go), and a conformance scenario in
//     conformance_<service>_test.go when moto implements the operation.
//
// A new service (internal/s3 is the worked example of a restXml one):
//
//  1. internal/s3/: doc.go, service.go with its state, `func Register(w *core.World)` (calling
//     w.Register("s3", ops), and w.OnTick or a Bus hook if it takes part in the pipeline) and
//     `var Endpoint = wire.Endpoint{…}` naming how requests address it. A restXml service like
//     S3 sets SigningName "s3" and REST, a function naming the operation from method, path and
//     query (GET /bucket/key is GetObject); its handlers read headers and payload from
//     c.Wire.HTTP and c.Wire.Body, return a wire.Response that writes status, headers (ETag) and
//     body itself, and fail with a *wire.APIError (412 PreconditionFailed, 404 NoSuchKey),
//     which is written as restXml's <Error> document.
//  2. emulator.go: call Register in New (in pipeline order) and add its Endpoint to the router;
//     keep a handle in Emulator if the world API needs one (as for SNS and KMS).
//  3. internal/core/call.go: its validation error shape in Call.Validation; internal/core/audit.go:
//     its CloudTrail eventSource; faults.go: its throttling and server errors.
//  4. world.go: any world API it needs (seeding, inspection), under e.mu.
//  5. Tests through the SDK here, and conformance scenarios against moto.
package awsemu
