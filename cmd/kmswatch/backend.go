package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/daemon"
	"github.com/kmswatch/kmswatch/spec"
)

// backend is where the AWS calls go: AWS itself (or an endpoint such as moto), or the sandbox.
type backend struct {
	cfg       aws.Config
	accountID string                  // "" means ask STS
	seed      func(ms []spec.Monitor) // sandbox only: create what the spec presumes exists
	// seedBucket, sandbox only, creates an S3 bucket (the lease's, the spec's).
	seedBucket func(name string)
	close      func()
	// sandboxURL is the emulator's endpoint under --sandbox.
	sandboxURL string
}

// openBackend builds the AWS configuration: the default credential chain and everything the SDK
// reads from the environment (AWS_ENDPOINT_URL included), the region from --region, else the
// configuration, else the spec's first spec.region, and --endpoint-url. With --sandbox, the
// embedded emulator instead (in --region, else the spec's first region). first is empty for a
// spec in S3, which is read only once AWS access is set up.
func openBackend(ctx context.Context, f *runFlags, first daemon.Spec, log logr.Logger) (*backend, error) {
	if f.sandbox {
		region := f.region
		if region == "" {
			region = specRegion(first.Monitors)
		}
		return openSandbox(ctx, region, f.accountID, first, log)
	}
	cfg, err := awsConfig(ctx, f.region, f.endpointURL)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		// The default region — that of Monitors without spec.region — is the AWS configuration's;
		// a file whose Monitors all name theirs needs none configured.
		cfg.Region = specRegion(first.Monitors)
	}
	if cfg.Region == "" && f.specInS3() {
		return nil, &reconcile.TerminalError{Invalid: true,
			Err: errors.New("no AWS region: give --region or AWS_REGION (the spec is read from S3, so it cannot name the region)")}
	}
	return &backend{cfg: cfg, accountID: f.accountID, close: func() {}}, nil
}

// awsConfig is the SDK's default configuration, with region and endpoint when given.
func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}

// specRegion is the first spec.region of the file: the default region (that of Monitors without
// spec.region) when neither --region nor the AWS configuration gives one. Every Monitor with a
// spec.region is reconciled in it, with clients of the same configuration.
func specRegion(ms []spec.Monitor) string {
	for _, m := range ms {
		if m.Spec.Region != "" {
			return m.Spec.Region
		}
	}
	return ""
}
