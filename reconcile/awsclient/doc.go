// Package awsclient builds the AWS clients kmswatch's controller calls through: one per service,
// behind narrow interfaces that name exactly the operations used, with the SDK's own signatures
// (the SDK clients satisfy them, which is checked at compile time).
//
// Contract:
//   - Retries: the SDK's adaptive retryer (or standard, Options.RetryMode), except that a quota
//     error (LimitExceeded*) is never retried as the SDK would retry a throttle — the 101st metric
//     filter fails the same way however long one waits — and that SNS's Throttled and CloudWatch's
//     ConcurrentModificationException, modeled throttles the SDK leaves alone, are retried.
//   - Every attempt of every call is counted (Clients.Calls) and reported to Options.OnCall with
//     its service, operation, error code and duration: the metrics and the cost figures.
//   - Options.WriteGate is asked before every attempt of every call that changes AWS (awsop), and
//     an error stops the call before it is sent: how a leader that lost its lease stops writing.
//   - CloudWatch speaks Smithy RPC v2 CBOR by default; emulators such as moto speak only query
//     and JSON (Options.CloudWatchProtocol).
//   - Clients.ForRegion makes the same clients for another region, once per region.
package awsclient
