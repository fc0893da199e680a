package awsemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

func kmsMustKey(t *testing.T, c *kms.Client, desc string) *kmstypes.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func TestKMSKeysAndAliases(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := kms.NewFromConfig(cfg)
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app key"),
		Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	if md.KeyState != kmstypes.KeyStateEnabled || !md.Enabled || md.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt ||
		md.KeySpec != kmstypes.KeySpecSymmetricDefault || aws.ToString(md.Arn) != "arn:aws:kms:us-east-1:123456789012:key/"+aws.ToString(md.KeyId) ||
		!md.CreationDate.Equal(e.Now()) || aws.ToString(md.Description) != "app key" {
		t.Fatalf("metadata %+v", md)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{aws.ToString(md.KeyId), aws.ToString(md.Arn), "alias/app", "arn:aws:kms:us-east-1:123456789012:alias/app"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(md.KeyId) {
			t.Errorf("DescribeKey(%s): %v %v", ref, d, err)
		}
	}
	errCases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"unknown id", func() error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("11111111-2222-3333-4444-555555555555")})
			return err
		}, "NotFoundException", "does not exist"},
		{"unknown alias", func() error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/none")})
			return err
		}, "NotFoundException", "alias/none is not found"},
		{"duplicate alias", func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: md.KeyId})
			return err
		}, "AlreadyExistsException", "already exists"},
		{"alias without prefix", func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("app2"), TargetKeyId: md.KeyId})
			return err
		}, "ValidationException", "alias/"},
		{"reserved alias", func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: md.KeyId})
			return err
		}, "NotAuthorizedException", "alias/aws/"},
		{"incompatible spec and usage", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256})
			return err
		}, "ValidationException", "not compatible"},
		{"reserved tag", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
			return err
		}, "TagException", "reserved"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.msg) })
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String("alias/app")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagValue) != "sec" {
		t.Fatalf("tags %+v %v", tags, err)
	}

	// Paginate ListKeys and ListAliases.
	for i := 0; i < 4; i++ {
		k := kmsMustKey(t, c, fmt.Sprint("k", i))
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(fmt.Sprint("alias/k", i)), TargetKeyId: k.Arn}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	kp := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	pages := 0
	for kp.HasMorePages() {
		page, err := kp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range page.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	if pages != 3 || len(ids) != 5 || ids[0] != aws.ToString(md.KeyId) {
		t.Fatalf("ListKeys: %d pages, %v", pages, ids)
	}
	al, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: md.KeyId})
	if err != nil || len(al.Aliases) != 1 || aws.ToString(al.Aliases[0].AliasName) != "alias/app" || aws.ToString(al.Aliases[0].TargetKeyId) != aws.ToString(md.KeyId) {
		t.Fatalf("ListAliases by key: %+v %v", al, err)
	}
	al, err = c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(3)})
	if err != nil || len(al.Aliases) != 3 || !al.Truncated {
		t.Fatalf("ListAliases page: %+v %v", al, err)
	}
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("junk")})
	wantAPIError(t, err, "InvalidMarkerException", "")
}

func TestKMSCrypto(t *testing.T) {
	_, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := kms.NewFromConfig(cfg)
	k1 := kmsMustKey(t, c, "one")
	k2 := kmsMustKey(t, c, "two")
	ectx := map[string]string{"app": "pattern1"}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k1.KeyId, Plaintext: []byte("secret"), EncryptionContext: ectx})
	if err != nil || aws.ToString(enc.KeyId) != aws.ToString(k1.Arn) || bytes.Contains(enc.CiphertextBlob, []byte("secret")) {
		t.Fatalf("Encrypt: %v %v", enc, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ectx})
	if err != nil || string(dec.Plaintext) != "secret" || aws.ToString(dec.KeyId) != aws.ToString(k1.Arn) {
		t.Fatalf("Decrypt without KeyId: %v %v", dec, err)
	}
	corrupt := append([]byte(nil), enc.CiphertextBlob...)
	corrupt[len(corrupt)-1] ^= 1
	// The same ciphertext under k2's id: the blob names k2 but k2's material cannot open it.
	forged := append([]byte(nil), enc.CiphertextBlob...)
	copy(forged[1:37], aws.ToString(k2.KeyId))
	decryptErrs := []struct {
		name      string
		in        kms.DecryptInput
		code, msg string
	}{
		{"other key named", kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ectx, KeyId: k2.KeyId}, "IncorrectKeyException", "does not identify"},
		{"corrupted", kms.DecryptInput{CiphertextBlob: corrupt, EncryptionContext: ectx}, "InvalidCiphertextException", ""},
		{"other key's material", kms.DecryptInput{CiphertextBlob: forged, EncryptionContext: ectx}, "InvalidCiphertextException", ""},
		{"wrong context", kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"app": "other"}}, "InvalidCiphertextException", ""},
		{"garbage", kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext at all")}, "InvalidCiphertextException", ""},
	}
	for _, tc := range decryptErrs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Decrypt(ctx, &tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k2.Arn, KeySpec: kmstypes.DataKeySpecAes256})
	if err != nil || len(dk.Plaintext) != 32 {
		t.Fatalf("GenerateDataKey: %v %v", dk, err)
	}
	back, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, KeyId: k2.KeyId})
	if err != nil || !bytes.Equal(back.Plaintext, dk.Plaintext) {
		t.Fatalf("data key round trip: %v", err)
	}
	n, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k2.KeyId, NumberOfBytes: aws.Int32(7)})
	if err != nil || len(n.Plaintext) != 7 {
		t.Fatalf("NumberOfBytes: %v", err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k2.KeyId, NumberOfBytes: aws.Int32(7), KeySpec: kmstypes.DataKeySpecAes128})
	wantAPIError(t, err, "ValidationException", "either number of bytes or key spec")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: k2.KeyId})
	wantAPIError(t, err, "ValidationException", "either number of bytes or key spec")

	// Disabled, then pending deletion.
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k1.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ectx})
	var dis *kmstypes.DisabledException
	if !errors.As(err, &dis) {
		t.Fatalf("disabled key: %v", err)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: k1.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k1.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ectx})
	var inv *kmstypes.KMSInvalidStateException
	if !errors.As(err, &inv) || !strings.Contains(inv.ErrorMessage(), "pending deletion") {
		t.Fatalf("pending deletion: %v", err)
	}
}

func TestKMSKeyDeletion(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	c := kms.NewFromConfig(cfg)
	k := kmsMustKey(t, c, "doomed")
	for _, days := range []int32{6, 31} {
		_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(days)})
		wantAPIError(t, err, "ValidationException", "between 7 and 30")
	}
	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId})
	if err != nil || aws.ToInt32(sched.PendingWindowInDays) != 30 || sched.KeyState != kmstypes.KeyStatePendingDeletion ||
		!sched.DeletionDate.Equal(e.Now().Add(30*24*time.Hour)) {
		t.Fatalf("default window: %+v %v", sched, err)
	}
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId})
	wantAPIError(t, err, "KMSInvalidStateException", "pending deletion")
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId})
	wantAPIError(t, err, "KMSInvalidStateException", "pending deletion")
	if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: k.KeyId}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
	if err != nil || d.KeyMetadata.KeyState != kmstypes.KeyStateDisabled || d.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after cancel: %+v %v", d.KeyMetadata, err)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: k.KeyId})
	wantAPIError(t, err, "KMSInvalidStateException", "not pending deletion")

	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: k.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	e.Advance(7*24*time.Hour - time.Minute)
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId}); err != nil {
		t.Fatalf("deleted early: %v", err)
	}
	e.Advance(time.Minute)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
	wantAPIError(t, err, "NotFoundException", "does not exist")
	al, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil || len(al.Aliases) != 0 {
		t.Fatalf("alias outlived its key: %+v %v", al, err)
	}
}

func TestKMSDenyAndAudit(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	var records []core.AuditRecord
	e.mu.Lock()
	e.w.Bus.Audit = func(r core.AuditRecord) { records = append(records, r) }
	e.mu.Unlock()
	role := "arn:aws:iam::123456789012:role/pattern1-app-Pattern1ECSTaskRole"
	e.AddRoleSession("AKIDTASK", role, "task-1")
	admin := kms.NewFromConfig(cfg)
	k := kmsMustKey(t, admin, "app")
	enc, err := admin.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("p")})
	if err != nil {
		t.Fatal(err)
	}
	task := kms.NewFromConfig(emuConfig(e, "AKIDTASK"))
	if _, err := task.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("task role before DenyKMS: %v", err)
	}
	e.DenyKMS("AKIDTASK", "Decrypt")
	_, err = task.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	want := "User: arn:aws:sts::123456789012:assumed-role/pattern1-app-Pattern1ECSTaskRole/task-1 is not authorized to perform: kms:Decrypt on resource: " +
		aws.ToString(k.Arn) + " because no identity-based policy allows the kms:Decrypt action"
	wantAPIError(t, err, "AccessDeniedException", want)
	if _, err := task.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("p")}); err != nil {
		t.Fatalf("Encrypt is not denied: %v", err)
	}
	_, err = task.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: aws.String("alias/none")})
	wantAPIError(t, err, "NotFoundException", "")
	e.AllowKMS("AKIDTASK")
	if _, err := task.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("after AllowKMS: %v", err)
	}

	// The denied Decrypt's CloudTrail record.
	var denied map[string]any
	for _, r := range records {
		if r.Name == "Decrypt" && r.Record["errorCode"] == "AccessDeniedException" {
			denied = r.Record
		}
	}
	if denied == nil {
		t.Fatalf("no AccessDenied Decrypt record among %d", len(records))
	}
	res, _ := denied["resources"].([]any)
	first, _ := res[0].(map[string]any)
	params, _ := denied["requestParameters"].(map[string]any)
	ident, _ := denied["userIdentity"].(map[string]any)
	issuer := ident["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)
	if denied["readOnly"] != true || denied["eventSource"] != "kms.amazonaws.com" || first["ARN"] != aws.ToString(k.Arn) ||
		first["type"] != "AWS::KMS::Key" || params["encryptionAlgorithm"] != "SYMMETRIC_DEFAULT" || issuer["arn"] != role ||
		denied["errorMessage"] != want {
		t.Fatalf("record %v", denied)
	}
	if _, blob := params["ciphertextBlob"]; blob {
		t.Fatal("the ciphertext was recorded")
	}
}
