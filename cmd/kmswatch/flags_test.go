package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseRunFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string // substring of stderr; "" means valid
		check   func(*runFlags) bool
	}{
		{"defaults", []string{"-f", "m.yaml"}, "", func(f *runFlags) bool {
			return f.file == "m.yaml" && f.interval == time.Minute && f.cwProtocol == "cbor" && f.output == "text" && f.logFormat == "json" && !f.once
		}},
		{"all flags", []string{"--file", "m.yaml", "--once", "--dry-run", "--interval", "5s", "--region", "ap-southeast-2",
			"--endpoint-url", "http://127.0.0.1:5000", "--cloudwatch-protocol", "query", "--listen", "127.0.0.1:0",
			"--log-format", "console", "--output", "json", "--prune-removed-monitors", "-v", "1", "--account-id", "111122223333"}, "", func(f *runFlags) bool {
			return f.accountID == "111122223333" && f.once && f.dryRun && f.interval == 5*time.Second && f.region == "ap-southeast-2" && f.cwProtocol == "query" &&
				f.listen == "127.0.0.1:0" && f.logFormat == "console" && f.output == "json" && f.pruneRemoved && f.verbosity == 1
		}},
		{"missing file", []string{"--once"}, "-f: the monitor.yaml file is required", nil},
		{"bad protocol", []string{"-f", "m", "--cloudwatch-protocol", "xml"}, `--cloudwatch-protocol: must be cbor, query or json, got "xml"`, nil},
		{"bad output", []string{"-f", "m", "--output", "yaml"}, `--output: must be text or json, got "yaml"`, nil},
		{"bad log format", []string{"-f", "m", "--log-format", "logfmt"}, `--log-format: must be json or console, got "logfmt"`, nil},
		{"bad interval", []string{"-f", "m", "--interval", "0s"}, "--interval: must be positive", nil},
		{"unparsable interval", []string{"-f", "m", "--interval", "soon"}, `invalid value "soon" for flag -interval`, nil},
		{"unknown flag", []string{"-f", "m", "--forever"}, "flag provided but not defined: -forever", nil},
		{"stray argument", []string{"-f", "m", "extra"}, `unexpected argument "extra"`, nil},
		{"bad account id", []string{"-f", "m", "--account-id", "12345"}, `--account-id: must be 12 digits, got "12345"`, nil},
		{"sandbox and endpoint", []string{"-f", "m", "--sandbox", "--endpoint-url", "http://x"}, "choose one", nil},
		{"lease defaults", []string{"-f", "m"}, "", func(f *runFlags) bool {
			return f.lease == "" && f.leaseDuration == 30*time.Second && f.specPoll == 10*time.Second
		}},
		{"lease and S3 spec", []string{"-f", "s3://kmswatch-specs/prod/monitor.yaml", "--lease", "s3://kmswatch-state/prod/lease.json",
			"--lease-duration", "6s", "--spec-poll", "2s"}, "", func(f *runFlags) bool {
			return f.specInS3() && f.lease == "s3://kmswatch-state/prod/lease.json" && f.leaseDuration == 6*time.Second && f.specPoll == 2*time.Second
		}},
		{"bad lease URL", []string{"-f", "m", "--lease", "s3://kmswatch-state"}, "--lease: S3 URL \"s3://kmswatch-state\": no object key", nil},
		{"lease not S3", []string{"-f", "m", "--lease", "/var/run/lease"}, "--lease: S3 URL \"/var/run/lease\": must start with s3://", nil},
		{"bad S3 spec", []string{"-f", "s3://Specs/m.yaml"}, "-f: S3 URL \"s3://Specs/m.yaml\": bucket \"Specs\"", nil},
		{"lease too short", []string{"-f", "m", "--lease", "s3://kmswatch-state/lease", "--lease-duration", "2s"}, "--lease-duration: 2s is too short to be safe", nil},
		{"spec poll zero", []string{"-f", "m", "--spec-poll", "0s"}, "--spec-poll: must be positive", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			f, err := parseRunFlags(c.args, &stderr, "json")
			if c.wantErr == "" {
				if err != nil || !c.check(f) {
					t.Fatalf("parse %v: err %v, flags %+v, stderr %s", c.args, err, f, stderr.String())
				}
				return
			}
			if err == nil || !strings.Contains(stderr.String(), c.wantErr) {
				t.Fatalf("parse %v: err %v, stderr %q, want it to say %q", c.args, err, stderr.String(), c.wantErr)
			}
		})
	}
	t.Setenv(leaseEnv, "s3://kmswatch-state/from-env")
	if f, err := parseRunFlags([]string{"-f", "m"}, &bytes.Buffer{}, "json"); err != nil || f.lease != "s3://kmswatch-state/from-env" {
		t.Errorf("%s does not give --lease its default: %+v, %v", leaseEnv, f, err)
	}
	if _, err := parseRunFlags([]string{"-h"}, &bytes.Buffer{}, "json"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer down.Close()
	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	closed.Close()
	cases := []struct {
		url  string
		want int
	}{{ok.URL + "/healthz", exitOK}, {down.URL + "/healthz", exitFailed}, {closed.URL + "/healthz", exitFailed}, {"::", exitInvalid}}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if got := run(context.Background(), []string{"healthcheck", "--url", c.url, "--timeout", "2s"}, &out, &errb); got != c.want {
			t.Errorf("healthcheck %s = %d, want %d (stderr %s)", c.url, got, c.want, errb.String())
		}
	}
}
