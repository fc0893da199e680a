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
// which moto and the emulator answer too. The partition is then taken from the caller's ARN.
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
	env.AccountID = aws.ToString(out.Account)
	if parts := strings.SplitN(aws.ToString(out.Arn), ":", 3); len(parts) == 3 && parts[0] == "arn" {
		env.Partition = parts[1]
	}
	if env.AccountID == "" {
		return Env{}, errors.New("resolve account id: sts GetCallerIdentity returned no account")
	}
	return env, nil
}
