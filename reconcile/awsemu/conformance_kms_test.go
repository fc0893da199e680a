package awsemu

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func (env *confEnv) kms() *kms.Client { return kms.NewFromConfig(env.cfg) }

func (env *confEnv) key(desc string) *kmstypes.KeyMetadata {
	env.Helper()
	out, err := env.kms().CreateKey(env.ctx, &kms.CreateKeyInput{Description: aws.String(desc)})
	env.must(err)
	return out.KeyMetadata
}

func (env *confEnv) encrypt(keyID *string, text string) []byte {
	env.Helper()
	out, err := env.kms().Encrypt(env.ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: []byte(text)})
	env.must(err)
	return out.CiphertextBlob
}

func kmsScenarios() []scenario {
	return []scenario{
		{name: "kms/create-and-describe-key",
			motoGap: "moto leaves KeyUsage out of KeyMetadata when CreateKey did not set it (AWS reports the default ENCRYPT_DECRYPT); asserted instead: KeyUsage empty",
			run: func(env *confEnv) {
				k := env.key("conformance key")
				env.eq("KeyState", k.KeyState, kmstypes.KeyStateEnabled)
				env.eq("Enabled", k.Enabled, true)
				wantUsage := kmstypes.KeyUsageTypeEncryptDecrypt
				if env.onMoto() {
					wantUsage = ""
				}
				env.eq("KeyUsage", k.KeyUsage, wantUsage)
				env.eq("KeySpec", k.KeySpec, kmstypes.KeySpecSymmetricDefault)
				env.eq("Arn", aws.ToString(k.Arn), "arn:aws:kms:us-east-1:"+confAccount+":key/"+aws.ToString(k.KeyId))
				d, err := env.kms().DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: k.Arn})
				env.must(err)
				env.eq("Description", aws.ToString(d.KeyMetadata.Description), "conformance key")
				env.eq("KeyId", aws.ToString(d.KeyMetadata.KeyId), aws.ToString(k.KeyId))
			}},
		{name: "kms/describe-missing-key", run: func(env *confEnv) {
			_, err := env.kms().DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: aws.String("12345678-1234-1234-1234-123456789012")})
			env.code(err, "NotFoundException")
		}},
		{name: "kms/alias-create-list-describe", run: func(env *confEnv) {
			k := env.key("aliased")
			c := env.kms()
			_, err := c.CreateAlias(env.ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/conf"), TargetKeyId: k.KeyId})
			env.must(err)
			d, err := c.DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/conf")})
			env.must(err)
			env.eq("KeyId by alias", aws.ToString(d.KeyMetadata.KeyId), aws.ToString(k.KeyId))
			out, err := c.ListAliases(env.ctx, &kms.ListAliasesInput{KeyId: k.KeyId})
			env.must(err)
			env.eq("aliases of the key", len(out.Aliases), 1)
			env.eq("AliasName", aws.ToString(out.Aliases[0].AliasName), "alias/conf")
			env.eq("AliasArn", aws.ToString(out.Aliases[0].AliasArn), "arn:aws:kms:us-east-1:"+confAccount+":alias/conf")
		}},
		{name: "kms/alias-already-exists", run: func(env *confEnv) {
			k := env.key("dup")
			c := env.kms()
			in := &kms.CreateAliasInput{AliasName: aws.String("alias/dup"), TargetKeyId: k.KeyId}
			_, err := c.CreateAlias(env.ctx, in)
			env.must(err)
			_, err = c.CreateAlias(env.ctx, in)
			env.code(err, "AlreadyExistsException")
		}},
		{name: "kms/encrypt-decrypt-round-trip", run: func(env *confEnv) {
			k := env.key("rt")
			blob := env.encrypt(k.KeyId, "attack at dawn")
			out, err := env.kms().Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: blob})
			env.must(err)
			env.eq("Plaintext", string(out.Plaintext), "attack at dawn")
			env.eq("KeyId", aws.ToString(out.KeyId), aws.ToString(k.Arn))
		}},
		{name: "kms/decrypt-with-other-key",
			motoGap: "moto answers a Decrypt naming another key with AccessDeniedException (empty message), AWS with IncorrectKeyException; asserted instead: AccessDeniedException",
			run: func(env *confEnv) {
				a, b := env.key("a"), env.key("b")
				blob := env.encrypt(a.KeyId, "x")
				_, err := env.kms().Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: b.KeyId})
				if env.onMoto() {
					env.code(err, "AccessDeniedException")
					return
				}
				env.code(err, "IncorrectKeyException")
			}},
		{name: "kms/decrypt-corrupted", run: func(env *confEnv) {
			k := env.key("c")
			blob := env.encrypt(k.KeyId, "x")
			blob[len(blob)-1] ^= 0x55
			_, err := env.kms().Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: blob})
			env.code(err, "InvalidCiphertextException")
		}},
		{name: "kms/encryption-context-must-match", run: func(env *confEnv) {
			k := env.key("ctx")
			c := env.kms()
			out, err := c.Encrypt(env.ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "pattern1"}})
			env.must(err)
			_, err = c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"app": "other"}})
			env.code(err, "InvalidCiphertextException")
			back, err := c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: map[string]string{"app": "pattern1"}})
			env.must(err)
			env.eq("Plaintext", string(back.Plaintext), "x")
		}},
		{name: "kms/generate-data-key-spec-or-bytes", run: func(env *confEnv) {
			k := env.key("both")
			_, err := env.kms().GenerateDataKey(env.ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: kmstypes.DataKeySpecAes256, NumberOfBytes: aws.Int32(32)})
			env.code(err, "ValidationException")
		}},
		{name: "kms/disabled-key",
			motoGap: "moto decrypts with a disabled key; asserted instead: the Decrypt succeeds while DescribeKey says Disabled",
			run: func(env *confEnv) {
				k := env.key("d")
				blob := env.encrypt(k.KeyId, "x")
				c := env.kms()
				_, err := c.DisableKey(env.ctx, &kms.DisableKeyInput{KeyId: k.KeyId})
				env.must(err)
				d, err := c.DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				env.must(err)
				env.eq("KeyState", d.KeyMetadata.KeyState, kmstypes.KeyStateDisabled)
				_, err = c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: blob})
				if env.onMoto() {
					env.must(err)
				} else {
					env.code(err, "DisabledException")
				}
				_, err = c.EnableKey(env.ctx, &kms.EnableKeyInput{KeyId: k.KeyId})
				env.must(err)
				_, err = c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: blob})
				env.must(err)
			}},
		{name: "kms/deletion-window-bounds",
			motoGap: "moto answers a PendingWindowInDays outside 7-30 with success and schedules nothing; asserted instead: no error and the key still Enabled",
			run: func(env *confEnv) {
				k := env.key("window")
				c := env.kms()
				for _, days := range []int32{6, 31} {
					_, err := c.ScheduleKeyDeletion(env.ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(days)})
					if env.onMoto() {
						env.must(err)
					} else {
						env.code(err, "ValidationException")
					}
				}
				d, err := c.DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				env.must(err)
				env.eq("KeyState", d.KeyMetadata.KeyState, kmstypes.KeyStateEnabled)
			}},
		{name: "kms/schedule-and-cancel-deletion",
			motoGap: "moto's ScheduleKeyDeletion answer lacks KeyState, and a key pending deletion still encrypts; asserted instead: DescribeKey shows PendingDeletion and Encrypt succeeds",
			run: func(env *confEnv) {
				k := env.key("del")
				c := env.kms()
				out, err := c.ScheduleKeyDeletion(env.ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)})
				env.must(err)
				env.truth("a DeletionDate in the answer", out.DeletionDate != nil)
				if !env.onMoto() {
					env.eq("KeyState", out.KeyState, kmstypes.KeyStatePendingDeletion)
				}
				d, err := c.DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				env.must(err)
				env.eq("described KeyState", d.KeyMetadata.KeyState, kmstypes.KeyStatePendingDeletion)
				env.truth("a DeletionDate", d.KeyMetadata.DeletionDate != nil)
				_, err = c.Encrypt(env.ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("x")})
				if env.onMoto() {
					env.must(err)
				} else {
					env.code(err, "KMSInvalidStateException")
				}
				_, err = c.CancelKeyDeletion(env.ctx, &kms.CancelKeyDeletionInput{KeyId: k.KeyId})
				env.must(err)
				d, err = c.DescribeKey(env.ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				env.must(err)
				env.eq("KeyState after cancel", d.KeyMetadata.KeyState, kmstypes.KeyStateDisabled)
			}},
		{name: "kms/generate-data-key", run: func(env *confEnv) {
			k := env.key("dk")
			c := env.kms()
			out, err := c.GenerateDataKey(env.ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: kmstypes.DataKeySpecAes256})
			env.must(err)
			env.eq("plaintext bytes", len(out.Plaintext), 32)
			back, err := c.Decrypt(env.ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob})
			env.must(err)
			env.eq("decrypted data key", fmt.Sprintf("%x", back.Plaintext), fmt.Sprintf("%x", out.Plaintext))
			n, err := c.GenerateDataKey(env.ctx, &kms.GenerateDataKeyInput{KeyId: k.KeyId, NumberOfBytes: aws.Int32(16)})
			env.must(err)
			env.eq("NumberOfBytes", len(n.Plaintext), 16)
		}},
		{name: "kms/list-keys-pages",
			motoGap: "moto ignores ListKeys' Limit and returns every key in one page; asserted instead: one page of 5",
			run: func(env *confEnv) {
				for i := 0; i < 5; i++ {
					env.key(fmt.Sprint("page", i))
				}
				var sizes []int
				p := kms.NewListKeysPaginator(env.kms(), &kms.ListKeysInput{Limit: aws.Int32(2)})
				for p.HasMorePages() {
					page, err := p.NextPage(env.ctx)
					env.must(err)
					sizes = append(sizes, len(page.Keys))
				}
				want := []int{2, 2, 1}
				if env.onMoto() {
					want = []int{5}
				}
				env.eq("page sizes", sizes, want)
			}},
		{name: "kms/tag-untag-list", run: func(env *confEnv) {
			k := env.key("tags")
			c := env.kms()
			_, err := c.TagResource(env.ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: []kmstypes.Tag{
				{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("b"), TagValue: aws.String("2")}}})
			env.must(err)
			_, err = c.UntagResource(env.ctx, &kms.UntagResourceInput{KeyId: k.KeyId, TagKeys: []string{"a"}})
			env.must(err)
			out, err := c.ListResourceTags(env.ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
			env.must(err)
			env.eq("tags", len(out.Tags), 1)
			env.eq("b", aws.ToString(out.Tags[0].TagValue), "2")
		}},
	}
}
