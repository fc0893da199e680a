package kms

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type kmsKeyMetadata struct {
	AWSAccountID                string     `json:"AWSAccountId"`
	KeyID                       string     `json:"KeyId"`
	Arn                         string     `json:"Arn"`
	CreationDate                time.Time  `json:"CreationDate"`
	Enabled                     bool       `json:"Enabled"`
	Description                 string     `json:"Description"`
	KeyUsage                    string     `json:"KeyUsage"`
	KeyState                    string     `json:"KeyState"`
	DeletionDate                *time.Time `json:"DeletionDate,omitempty"`
	PendingDeletionWindowInDays int        `json:"PendingDeletionWindowInDays,omitempty"`
	Origin                      string     `json:"Origin"`
	KeyManager                  string     `json:"KeyManager"`
	CustomerMasterKeySpec       string     `json:"CustomerMasterKeySpec"`
	KeySpec                     string     `json:"KeySpec"`
	EncryptionAlgorithms        []string   `json:"EncryptionAlgorithms,omitempty"`
	MacAlgorithms               []string   `json:"MacAlgorithms,omitempty"`
	SigningAlgorithms           []string   `json:"SigningAlgorithms,omitempty"`
	MultiRegion                 bool       `json:"MultiRegion"`
	CurrentKeyMaterialID        string     `json:"CurrentKeyMaterialId,omitempty"`
}

// kmsSpecUsages lists, per KeySpec, the KeyUsage values KMS accepts with it.
var kmsSpecUsages = map[string][]string{
	"SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
	"RSA_2048":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, "RSA_3072": {"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, "RSA_4096": {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"ECC_NIST_P256": {"SIGN_VERIFY", "KEY_AGREEMENT"}, "ECC_NIST_P384": {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P521": {"SIGN_VERIFY", "KEY_AGREEMENT"}, "ECC_SECG_P256K1": {"SIGN_VERIFY"},
	"HMAC_224": {"GENERATE_VERIFY_MAC"}, "HMAC_256": {"GENERATE_VERIFY_MAC"}, "HMAC_384": {"GENERATE_VERIFY_MAC"}, "HMAC_512": {"GENERATE_VERIFY_MAC"},
}

func (s *Service) metadata(k *kmsKey) kmsKeyMetadata {
	m := kmsKeyMetadata{
		AWSAccountID: k.account, KeyID: k.id, Arn: k.arn, CreationDate: k.created, Enabled: k.state == "Enabled",
		Description: k.description, KeyUsage: k.usage, KeyState: k.state, Origin: "AWS_KMS", KeyManager: "CUSTOMER",
		CustomerMasterKeySpec: k.spec, KeySpec: k.spec, MultiRegion: k.multiRegion,
	}
	switch {
	case k.spec == "SYMMETRIC_DEFAULT":
		m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
		m.CurrentKeyMaterialID = k.materialID
	case strings.HasPrefix(k.spec, "HMAC_"):
		m.MacAlgorithms = []string{"HMAC_SHA_" + strings.TrimPrefix(k.spec, "HMAC_")}
	case strings.HasPrefix(k.spec, "RSA_") && k.usage == "ENCRYPT_DECRYPT":
		m.EncryptionAlgorithms = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	case k.usage == "SIGN_VERIFY":
		m.SigningAlgorithms = []string{"ECDSA_SHA_256"}
		if strings.HasPrefix(k.spec, "RSA_") {
			m.SigningAlgorithms = []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"}
		}
	}
	if k.state == "PendingDeletion" {
		d := k.deletion
		m.DeletionDate = &d
		m.PendingDeletionWindowInDays = k.pendingDays
	}
	return m
}

func kmsCheckTags(tags []kmsTag) *wire.APIError {
	if len(tags) > 50 {
		return wire.Errorf("TagException", "Too many tags: a KMS key can have at most 50 tags")
	}
	for _, t := range tags {
		if t.TagKey == "" || len(t.TagKey) > 128 || len(t.TagValue) > 256 {
			return wire.Errorf("TagException", "Tag keys must be 1 to 128 characters and values at most 256")
		}
		if strings.HasPrefix(strings.ToLower(t.TagKey), "aws:") {
			return wire.Errorf("TagException", "Tags beginning with aws: are reserved")
		}
	}
	return nil
}

func (s *Service) createKey(c *core.Call) (any, error) {
	var in struct {
		Description           string   `json:"Description"`
		KeyUsage              string   `json:"KeyUsage"`
		KeySpec               string   `json:"KeySpec"`
		CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
		Origin                string   `json:"Origin"`
		Policy                string   `json:"Policy"`
		MultiRegion           bool     `json:"MultiRegion"`
		Tags                  []kmsTag `json:"Tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if apiErr := s.authorize(c, "*"); apiErr != nil {
		return nil, apiErr
	}
	if len(in.Description) > 8192 {
		return nil, kmsValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	} else if in.CustomerMasterKeySpec != "" && in.CustomerMasterKeySpec != spec {
		return nil, kmsValidation("You cannot specify KeySpec and CustomerMasterKeySpec with different values")
	}
	if spec == "" {
		spec = "SYMMETRIC_DEFAULT"
	}
	usages, ok := kmsSpecUsages[spec]
	if !ok {
		return nil, kmsValidation("1 validation error detected: Value '" + spec + "' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set")
	}
	usage := in.KeyUsage
	if usage == "" {
		usage = "ENCRYPT_DECRYPT"
	}
	switch usage {
	case "ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT":
	default:
		return nil, kmsValidation("1 validation error detected: Value '" + usage + "' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]")
	}
	if !slices.Contains(usages, usage) {
		return nil, kmsValidation("KeyUsage " + usage + " is not compatible with KeySpec " + spec)
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		return nil, wire.Errorf("UnsupportedOperationException", "the emulator creates only AWS_KMS-origin keys, not "+in.Origin)
	}
	if in.Policy != "" && !json.Valid([]byte(in.Policy)) {
		return nil, wire.Errorf("MalformedPolicyDocumentException", "The policy is not valid JSON")
	}
	if err := kmsCheckTags(in.Tags); err != nil {
		return nil, err
	}
	id := wire.NewRequestID()
	material := make([]byte, 32)
	_, _ = rand.Read(material)
	s.seq++
	k := &kmsKey{id: id, arn: s.keyARN(c.Account(), c.Region, id), account: c.Account(), region: c.Region, seq: s.seq, material: material,
		materialID: kmsMaterialID(material), description: in.Description, usage: usage, spec: spec,
		state: "Enabled", multiRegion: in.MultiRegion, created: c.Now}
	s.keys[k.arn] = k
	if len(in.Tags) > 0 {
		tags := map[string]string{}
		for _, t := range in.Tags {
			tags[t.TagKey] = t.TagValue
		}
		s.w.Tags.Set(k.arn, tags)
	}
	s.recordKey(c, k, nil)
	return struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}{s.metadata(k)}, nil
}

// keyCall decodes {KeyId} and resolves and authorises it: the start of most key verbs.
func (s *Service) keyCall(c *core.Call, in any, ref func() string) (*kmsKey, error) {
	if err := c.Decode(in); err != nil {
		return nil, err
	}
	k, apiErr := s.resolveKey(c, ref())
	if apiErr != nil {
		return nil, apiErr
	}
	s.recordKey(c, k, nil)
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	return k, nil
}

type kmsKeyIDInput struct {
	KeyID string `json:"KeyId"`
}

func (s *Service) describeKey(c *core.Call) (any, error) {
	var in kmsKeyIDInput
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	return struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}{s.metadata(k)}, nil
}

func (s *Service) enableKey(c *core.Call) (any, error)  { return s.setKeyState(c, "Enabled") }
func (s *Service) disableKey(c *core.Call) (any, error) { return s.setKeyState(c, "Disabled") }

// setKeyState is EnableKey and DisableKey: a key pending deletion can be neither.
func (s *Service) setKeyState(c *core.Call, state string) (any, error) {
	var in kmsKeyIDInput
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	if k.state == "PendingDeletion" {
		return nil, wire.Errorf("KMSInvalidStateException", k.arn+" is pending deletion.")
	}
	k.state = state
	return struct{}{}, nil
}

func (s *Service) scheduleKeyDeletion(c *core.Call) (any, error) {
	var in struct {
		KeyID               string `json:"KeyId"`
		PendingWindowInDays *int   `json:"PendingWindowInDays"`
	}
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	days := 30
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	if days < 7 || days > 30 {
		return nil, kmsValidation("1 validation error detected: Value '" + strconv.Itoa(days) +
			"' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30")
	}
	if k.state == "PendingDeletion" {
		return nil, wire.Errorf("KMSInvalidStateException", k.arn+" is pending deletion.")
	}
	k.state, k.pendingDays, k.deletion = "PendingDeletion", days, c.Now.Add(time.Duration(days)*24*time.Hour)
	c.Audit["responseElements"] = map[string]any{"keyId": k.arn, "keyState": k.state,
		"deletionDate": k.deletion.Format("Jan 2, 2006 3:04:05 PM"), "pendingWindowInDays": days}
	return struct {
		KeyID               string    `json:"KeyId"`
		DeletionDate        time.Time `json:"DeletionDate"`
		KeyState            string    `json:"KeyState"`
		PendingWindowInDays int       `json:"PendingWindowInDays"`
	}{k.arn, k.deletion, k.state, days}, nil
}

func (s *Service) cancelKeyDeletion(c *core.Call) (any, error) {
	var in kmsKeyIDInput
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	if k.state != "PendingDeletion" {
		return nil, wire.Errorf("KMSInvalidStateException", k.arn+" is not pending deletion.")
	}
	// A key whose deletion is cancelled comes back Disabled, not Enabled.
	k.state, k.pendingDays, k.deletion = "Disabled", 0, time.Time{}
	return struct {
		KeyID string `json:"KeyId"`
	}{k.arn}, nil
}

type kmsKeyEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

// kmsMarker pages a sorted listing: the marker is the opaque position of the next item.
func kmsMarker(kind string, next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("kms1|" + kind + "|" + strconv.Itoa(next)))
}

func kmsParseMarker(kind, marker string, n int) (int, *wire.APIError) {
	if marker == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	prefix := "kms1|" + kind + "|"
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, wire.Errorf("InvalidMarkerException", "Invalid marker")
	}
	i, err := strconv.Atoi(strings.TrimPrefix(string(raw), prefix))
	if err != nil || i < 0 || i > n {
		return 0, wire.Errorf("InvalidMarkerException", "Invalid marker")
	}
	return i, nil
}

// kmsLimit reads Limit with its range and default.
func kmsLimit(limit *int, max, def int) (int, *wire.APIError) {
	if limit == nil {
		return def, nil
	}
	if *limit < 1 || *limit > max {
		return 0, kmsValidation("1 validation error detected: Value '" + strconv.Itoa(*limit) +
			"' at 'limit' failed to satisfy constraint: Member must have value between 1 and " + strconv.Itoa(max))
	}
	return *limit, nil
}

func (s *Service) listKeys(c *core.Call) (any, error) {
	var in struct {
		Limit  *int   `json:"Limit"`
		Marker string `json:"Marker"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if apiErr := s.authorize(c, "*"); apiErr != nil {
		return nil, apiErr
	}
	limit, apiErr := kmsLimit(in.Limit, 1000, 100)
	if apiErr != nil {
		return nil, apiErr
	}
	var keys []*kmsKey
	for _, k := range s.keys {
		if k.region == c.Region && k.account == c.Account() {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].seq < keys[j].seq })
	start, apiErr := kmsParseMarker("keys", in.Marker, len(keys))
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		Keys       []kmsKeyEntry `json:"Keys"`
		NextMarker string        `json:"NextMarker,omitempty"`
		Truncated  bool          `json:"Truncated"`
	}{Keys: []kmsKeyEntry{}}
	end := min(start+limit, len(keys))
	for _, k := range keys[start:end] {
		out.Keys = append(out.Keys, kmsKeyEntry{k.id, k.arn})
	}
	if end < len(keys) {
		out.Truncated, out.NextMarker = true, kmsMarker("keys", end)
	}
	return out, nil
}

func (s *Service) tagResource(c *core.Call) (any, error) {
	var in struct {
		KeyID string   `json:"KeyId"`
		Tags  []kmsTag `json:"Tags"`
	}
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	if err := kmsCheckTags(in.Tags); err != nil {
		return nil, err
	}
	merged := s.w.Tags.Get(k.arn)
	if merged == nil {
		merged = map[string]string{}
	}
	for _, t := range in.Tags {
		merged[t.TagKey] = t.TagValue
	}
	if len(merged) > 50 {
		return nil, wire.Errorf("TagException", "Too many tags: a KMS key can have at most 50 tags")
	}
	s.w.Tags.Set(k.arn, merged)
	return struct{}{}, nil
}

func (s *Service) untagResource(c *core.Call) (any, error) {
	var in struct {
		KeyID   string   `json:"KeyId"`
		TagKeys []string `json:"TagKeys"`
	}
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	s.w.Tags.Remove(k.arn, in.TagKeys)
	return struct{}{}, nil
}

func (s *Service) listResourceTags(c *core.Call) (any, error) {
	var in kmsKeyIDInput
	k, err := s.keyCall(c, &in, func() string { return in.KeyID })
	if err != nil {
		return nil, err
	}
	out := struct {
		Tags      []kmsTag `json:"Tags"`
		Truncated bool     `json:"Truncated"`
	}{Tags: []kmsTag{}}
	for key, v := range s.w.Tags.Get(k.arn) {
		out.Tags = append(out.Tags, kmsTag{key, v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].TagKey < out.Tags[j].TagKey })
	return out, nil
}
