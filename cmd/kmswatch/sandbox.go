package main

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/daemon"
	"github.com/kmswatch/kmswatch/spec"
)

// sandboxAccessKey signs kmswatch's own calls to the sandbox. The emulator needs no secret; the
// AWS CLI example uses another key, so that CloudTrail records tell the two apart.
const sandboxAccessKey = "AKIAKMSWATCHSANDBOX"

// openSandbox starts the embedded emulator on a loopback port, in the spec's region and account
// (--account-id, else the account the spec's ARNs name), seeded with what the spec presumes
// exists (each trail's bucket and role). The configuration is built from scratch, not from the
// environment: the sandbox needs no credentials and must not pick up a real AWS_ENDPOINT_URL or
// profile.
func openSandbox(_ context.Context, region, account string, first daemon.Spec, log logr.Logger) (*backend, error) {
	if region == "" {
		region = "us-east-1"
	}
	if account == "" {
		account = specAccount(first.Monitors)
	}
	emu := awsemu.New(awsemu.Options{Region: region, AccountID: account})
	emu.AddUser(sandboxAccessKey, "kmswatch")
	emu.AddUser("AKIASANDBOXOPERATOR", "operator")
	srv, err := awsemu.Start(emu)
	if err != nil {
		return nil, fmt.Errorf("start the sandbox emulator: %w", err)
	}
	seed := func(ms []spec.Monitor) { seedSandbox(emu, ms) }
	seed(first.Monitors)
	stopClock := followRealTime(emu, time.Second)
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(sandboxAccessKey, "sandbox", ""),
		BaseEndpoint: aws.String(srv.URL),
		// A loopback server answers fast enough to hit a smithy-go body race; see awsemu.HTTPClient.
		HTTPClient: awsemu.HTTPClient(),
	}
	log.Info("sandbox: an emulated AWS is serving on loopback", "endpoint", srv.URL, "region", region, "account", emu.AccountID())
	return &backend{cfg: cfg, accountID: emu.AccountID(), seed: seed, seedBucket: emu.SeedBucket, sandboxURL: srv.URL,
		close: func() { stopClock(); _ = srv.Close() }}, nil
}

// followRealTime moves the sandbox's emulated clock with the real one, every tick, so that its
// pipeline runs as AWS's does while a person watches: CloudTrail delivers minutes after a call,
// alarms evaluate, the heartbeat arms its switch. It returns the function that stops it.
func followRealTime(emu *awsemu.Emulator, tick time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if behind := now.Sub(emu.Now()).Truncate(time.Second); behind > 0 {
					emu.Advance(behind)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// seedSandbox creates the buckets and roles the Monitors' trails presume, and, for an
// organization trail, the organization it presumes: one the sandbox's account manages, ready for
// organization trails.
func seedSandbox(emu *awsemu.Emulator, ms []spec.Monitor) {
	for _, m := range ms {
		if t := m.Spec.Trail; t != nil {
			emu.SeedBucket(t.S3BucketName)
			emu.SeedRole(t.CloudWatchLogsRoleArn)
			if t.Organization != nil && *t.Organization {
				// The zero Organization is valid for the emulator's own account: no error.
				_ = emu.SetOrganization(awsemu.Organization{})
			}
		}
	}
}

var accountInARN = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):`)

// specAccount is the account the spec's ARNs name (the trail's role, an alarm's principal), so
// that they resolve inside the sandbox; "" (the emulator's default) when there is none.
func specAccount(ms []spec.Monitor) string {
	for _, m := range ms {
		if t := m.Spec.Trail; t != nil {
			if sm := accountInARN.FindStringSubmatch(t.CloudWatchLogsRoleArn); sm != nil {
				return sm[1]
			}
		}
		for _, a := range m.Spec.Alarms {
			if a.Match != nil {
				if sm := accountInARN.FindStringSubmatch(a.Match.PrincipalArn); sm != nil {
					return sm[1]
				}
			}
		}
	}
	return ""
}

// sandboxHelp is printed for a person running the sandbox as a daemon: how to make drift with
// the AWS CLI (v1 speaks query to CloudWatch, which the emulator answers too) and watch it
// repaired. The commands are ones AWS CLI v1 was seen to run against the emulator.
func sandboxHelp(url, region string, ms []spec.Monitor) string {
	alarm, group, trail := "ALARM-NAME", "LOG-GROUP", ""
	for _, m := range ms {
		if m.Spec.Trail != nil && trail == "" {
			trail = m.Spec.Trail.Name
		}
		if len(m.Spec.Alarms) > 0 && alarm == "ALARM-NAME" {
			alarm = m.Spec.Alarms[0].Name
		}
		if group == "LOG-GROUP" {
			group = m.Spec.LogGroup.Name
		}
	}
	trailLine := ""
	if trail != "" {
		trailLine = "\n  aws --endpoint-url " + url + " cloudtrail stop-logging --name " + trail
	}
	return fmt.Sprintf(`
kmswatch sandbox: an emulated AWS is serving on %[1]s
Make drift from another terminal and watch kmswatch repair it within one --interval:

  export AWS_ACCESS_KEY_ID=AKIASANDBOXOPERATOR AWS_SECRET_ACCESS_KEY=sandbox AWS_DEFAULT_REGION=%[2]s
  aws --endpoint-url %[1]s cloudwatch delete-alarms --alarm-names %[3]s
  aws --endpoint-url %[1]s logs put-retention-policy --log-group-name %[4]s --retention-in-days 1%[5]s
  aws --endpoint-url %[1]s cloudwatch describe-alarms --alarm-names %[3]s

Edit the -f file to see a spec change applied at once. Ctrl-C stops.

`, url, region, alarm, group, trailLine)
}
