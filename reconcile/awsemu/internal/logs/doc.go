// Package logs is the emulated CloudWatch Logs (service id "logs", awsJson 1.1, target prefix
// Logs_20140328). It is the receiving end of the bus's PutLogEvents (CloudTrail delivering to a
// trail's log group), turns ingested events into metric datapoints through its metric filters
// (the bus's PutDatum), and expires events by retention on the emulated clock.
//
// Files: service.go (state, registration, shared validation, the Endpoint), groups.go (log
// groups and retention), tags.go (tagging), filters.go (metric filters and TestMetricFilter),
// events.go (streams, PutLogEvents, and the bus end that CloudTrail delivers to), read.go
// (GetLogEvents, FilterLogEvents), page.go (page positions), metrics.go (the pipeline step:
// metric filters turn ingested events into datapoints, and retention expires events).
//
// Every Logs error is an HTTP 400 whose __type is the shape name; model-constraint failures are
// InvalidParameterException with AWS's "1 validation error detected" wording.
package logs
