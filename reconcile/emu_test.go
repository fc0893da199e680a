package reconcile

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/spec"
)

// The emulator tests of this package run the real SDK clients against reconcile/awsemu, which
// keeps its state per region, as AWS does. The scenario suite (scenario_*_test.go) is the
// broader end-to-end check; these cover what the fake cannot: the wire shapes of selectors and
// one process working in several regions.

const emuAccount = "111122223333"

// emuAWS is an emulator on a loopback port, and an aws.Config for it in region.
type emuAWS struct {
	emu *awsemu.Emulator
	cfg aws.Config
}

func startEmu(t *testing.T, region string) *emuAWS {
	t.Helper()
	e := awsemu.New(awsemu.Options{Region: region, AccountID: emuAccount})
	srv, err := awsemu.Start(e)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &emuAWS{emu: e, cfg: aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   awsemu.HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEMUTEST", SecretAccessKey: "secret", Source: "test"}, nil
		}),
	}}
}

// seed makes the buckets and roles that the Monitors' trails presume.
func (a *emuAWS) seed(ms []spec.Monitor) {
	for _, m := range ms {
		if tr := m.Spec.Trail; tr != nil {
			a.emu.SeedBucket(tr.S3BucketName)
			a.emu.SeedRole(tr.CloudWatchLogsRoleArn)
		}
	}
}

// controller is a controller whose default region is the config's, as `kmswatch` builds it.
func (a *emuAWS) controller(t *testing.T, opts Options) *Controller {
	t.Helper()
	env, err := ResolveEnv(context.Background(), a.cfg, emuAccount)
	if err != nil {
		t.Fatalf("resolve env: %v", err)
	}
	clients := NewClients(a.cfg, ClientOptions{CloudWatchProtocol: ProtocolCBOR, MaxBackoff: 5 * time.Millisecond, RetryMode: aws.RetryModeStandard})
	return NewController(clients, env, logr.Discard(), opts)
}

// regionConfig is the config pointed at another region of the same emulator.
func (a *emuAWS) regionConfig(region string) aws.Config {
	cfg := a.cfg.Copy()
	cfg.Region = region
	return cfg
}
