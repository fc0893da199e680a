// Package demo runs the AWS Well-Architected KMS lab end to end against the embedded emulator
// and tells a person what happens: `kmswatch demo`. It is the first thing a newcomer sees, so it
// is written for reading — what kmswatch plans, creates and repairs, and the notification the
// security team would finally receive — and it takes a second or two, with nothing leaving the
// machine.
//
// The story: converge examples/monitor.yaml from an empty account (the plan, then the changes,
// then a second pass that changes nothing); an operator raises the alarm's threshold, stops the
// trail and excludes KMS events from it, each through the AWS SDK, and kmswatch repairs each one;
// the security team confirms the email subscription; the application's ECS task role makes
// failing Decrypt calls; the emulated clock moves on; CloudTrail, the log group, the metric
// filter and the alarm do their work; the alarm goes to ALARM and the email is shown. Then the
// dead man's switch: kmswatch's first heartbeat has come through, so its switch is armed; someone
// takes logs:PutLogEvents away from CloudTrail's role, kmswatch's next pass reports the pipeline
// broken with CloudTrail's error verbatim, time passes with no heartbeat reaching the log group,
// and the switch's email arrives.
package demo
