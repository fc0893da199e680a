package reconcile

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/spec"
)

// The emulator tests of this package run the real SDK clients against reconcile/awsemu, which
// keeps its state per region, as AWS does. The scenario suite (scenario_*_test.go) is the
// broader end-to-end check; these cover what the fake cannot: the wire shapes of selectors and
// one process working in several regions.

const emuAccount = "111122223333"

// emuAWS is an emulator (or moto) on a loopback port, and an aws.Config for it in region.
type emuAWS struct {
	cfg     aws.Config
	account string
	proto   string                  // the CloudWatch protocol the backend speaks
	seed    func(ms []spec.Monitor) // makes what the Monitors' trails presume exist
}

func staticCredentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEMUTEST", SecretAccessKey: "secret", Source: "test"}, nil
	})
}

func startEmu(t *testing.T, region string) *emuAWS {
	t.Helper()
	e := awsemu.New(awsemu.Options{Region: region, AccountID: emuAccount})
	srv, err := awsemu.Start(e)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &emuAWS{
		cfg:     aws.Config{Region: region, BaseEndpoint: aws.String(srv.URL), HTTPClient: awsemu.HTTPClient(), Credentials: staticCredentials()},
		account: emuAccount,
		proto:   ProtocolCBOR,
		seed: func(ms []spec.Monitor) {
			for _, m := range ms {
				if tr := m.Spec.Trail; tr != nil {
					e.SeedBucket(tr.S3BucketName)
					e.SeedRole(tr.CloudWatchLogsRoleArn)
				}
			}
		},
	}
}

// startMoto is moto_server in region (skipped when moto is not installed). moto answers as
// account 123456789012, speaks only query and JSON to CloudWatch, and checks only the bucket.
func startMoto(t *testing.T, region string) *emuAWS {
	t.Helper()
	srv := mototest.Start(t)
	return &emuAWS{
		cfg:     aws.Config{Region: region, BaseEndpoint: aws.String(srv.URL), Credentials: staticCredentials()},
		account: "123456789012",
		proto:   ProtocolQuery,
		seed: func(ms []spec.Monitor) {
			for _, m := range ms {
				if tr := m.Spec.Trail; tr != nil {
					srv.CreateBucket(t, tr.S3BucketName)
				}
			}
		},
	}
}

// controller is a controller whose default region is the config's, as `kmswatch` builds it.
func (a *emuAWS) controller(t *testing.T, opts Options) *Controller {
	t.Helper()
	env, err := ResolveEnv(context.Background(), a.cfg, a.account)
	if err != nil {
		t.Fatalf("resolve env: %v", err)
	}
	clients := NewClients(a.cfg, ClientOptions{CloudWatchProtocol: a.proto, MaxBackoff: 5 * time.Millisecond, RetryMode: aws.RetryModeStandard})
	return NewController(clients, env, logr.Discard(), opts)
}

// regionConfig is the config pointed at another region of the same emulator.
func (a *emuAWS) regionConfig(region string) aws.Config {
	cfg := a.cfg.Copy()
	cfg.Region = region
	return cfg
}
