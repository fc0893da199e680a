package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ResolveEnv works out where the controller runs: the region from cfg, the partition from the
// region, and the account id — accountID when given (the sandbox, tests, and accounts where
// sts:GetCallerIdentity is not wanted), else STS GetCallerIdentity, which needs no permission and
// which moto and the emulator answer too. The partition is then taken from the caller's ARN, and
// Caller is that ARN.
func ResolveEnv(ctx context.Context, cfg aws.Config, accountID string) (Env, error) {
	if cfg.Region == "" {
		return Env{}, &TerminalError{Invalid: true, Err: errors.New("resolve region: no region configured (set --region, spec.region or AWS_REGION)")}
	}
	env := Env{Region: cfg.Region, Partition: partitionOf(cfg.Region), AccountID: accountID}
	if accountID != "" {
		return env, nil
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Env{}, fmt.Errorf("resolve account id with sts GetCallerIdentity: %w", err)
	}
	env.AccountID, env.Caller = aws.ToString(out.Account), aws.ToString(out.Arn)
	if parts := strings.SplitN(aws.ToString(out.Arn), ":", 3); len(parts) == 3 && parts[0] == "arn" {
		env.Partition = parts[1]
	}
	if env.AccountID == "" {
		return Env{}, errors.New("resolve account id: sts GetCallerIdentity returned no account")
	}
	return env, nil
}

// Env is where the controller works: the partition, region and account that ARNs are built from,
// the instance that writes there (Options.Instance), named in the marker of its writes, and who
// it works as.
type Env struct {
	Partition string
	Region    string
	AccountID string
	Instance  string
	// Caller is kmswatch's own principal as STS GetCallerIdentity names it: what the heartbeat's
	// metric filter matches. "" until known (ResolveEnv fills it when it asks STS; the controller
	// asks when a Monitor has a heartbeat).
	Caller string
}

// ARNs built from the environment.
func (e Env) alarmARN(name string) string {
	return "arn:" + e.Partition + ":cloudwatch:" + e.Region + ":" + e.AccountID + ":alarm:" + name
}
func (e Env) logGroupARN(name string) string {
	return "arn:" + e.Partition + ":logs:" + e.Region + ":" + e.AccountID + ":log-group:" + name
}
func (e Env) topicARN(name string) string {
	return "arn:" + e.Partition + ":sns:" + e.Region + ":" + e.AccountID + ":" + name
}
func (e Env) trailARN(name string) string {
	return "arn:" + e.Partition + ":cloudtrail:" + e.Region + ":" + e.AccountID + ":trail/" + name
}

// partitionOf is the ARN partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}
