package awsemu

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// stsScenarios are the calls kmswatch makes to learn who it is and to heartbeat: STS
// GetCallerIdentity, and KMS ListAliases with Limit 1.
func stsScenarios() []scenario {
	return []scenario{
		{name: "sts/get-caller-identity", run: func(env *confEnv) {
			out, err := sts.NewFromConfig(env.cfg).GetCallerIdentity(env.ctx, &sts.GetCallerIdentityInput{})
			env.must(err)
			env.eq("Account", aws.ToString(out.Account), confAccount)
			arn := aws.ToString(out.Arn)
			// Who an unknown access key is differs (moto: user/moto; the emulator:
			// user/emulator-user); both answer an ARN of the account.
			env.truth("Arn "+arn+" is a principal of the account", strings.HasPrefix(arn, "arn:aws:") && strings.Contains(arn, ":"+confAccount+":"))
			env.truth("UserId is set", aws.ToString(out.UserId) != "")
		}},
		{name: "kms/list-aliases-limit-1-the-heartbeat",
			motoGap: "moto ignores ListAliases' Limit and lists the AWS managed aliases (alias/aws/…) too: the call succeeds with every alias in one page",
			run: func(env *confEnv) {
				c := env.kms()
				for _, name := range []string{"alias/hb-a", "alias/hb-b"} {
					k := env.key(name)
					_, err := c.CreateAlias(env.ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: k.KeyId})
					env.must(err)
				}
				out, err := c.ListAliases(env.ctx, &kms.ListAliasesInput{Limit: aws.Int32(1)})
				env.must(err)
				if env.onMoto() {
					env.truth("moto lists the aliases", len(out.Aliases) >= 2)
					return
				}
				env.eq("aliases in a page of 1", len(out.Aliases), 1)
				env.truth("the page is truncated", out.Truncated && aws.ToString(out.NextMarker) != "")
			}},
	}
}
