package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"sort"
	"strconv"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// A ciphertext blob is version byte 1, the 36-character key id, a 12-byte nonce and the
// AES-256-GCM sealed plaintext, authenticated together with the key id and the encryption
// context. So, as with KMS's own format, Decrypt finds the key in the blob, a blob altered
// anywhere fails, and a different encryption context fails.
const (
	kmsBlobVersion = 1
	kmsIDLen       = 36
	kmsNonceLen    = 12
	kmsBlobMin     = 1 + kmsIDLen + kmsNonceLen + 16
)

func kmsAAD(keyID string, ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	aad := []byte(keyID)
	for _, k := range keys {
		aad = append(aad, 0)
		aad = append(aad, k...)
		aad = append(aad, 0)
		aad = append(aad, ctx[k]...)
	}
	return aad
}

func kmsGCM(material []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, fmt.Errorf("kms key material: %w", err)
	}
	return cipher.NewGCM(block)
}

func (k *kmsKey) seal(plaintext []byte, ctx map[string]string) ([]byte, error) {
	gcm, err := kmsGCM(k.material)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, kmsNonceLen)
	_, _ = rand.Read(nonce)
	blob := append([]byte{kmsBlobVersion}, k.id...)
	blob = append(blob, nonce...)
	return gcm.Seal(blob, nonce, plaintext, kmsAAD(k.id, ctx)), nil
}

func kmsInvalidCiphertext() *wire.APIError {
	return wire.Errorf("InvalidCiphertextException", "The ciphertext is invalid, was altered, or was encrypted under a different key or encryption context.")
}

// checkSymmetric refuses cryptographic operations the key cannot do.
func (k *kmsKey) checkSymmetric(op string) *wire.APIError {
	if k.usage != "ENCRYPT_DECRYPT" {
		return wire.Errorf("InvalidKeyUsageException", k.arn+" key usage is "+k.usage+" which is not valid for "+op+".")
	}
	if k.spec != "SYMMETRIC_DEFAULT" {
		return wire.Errorf("UnsupportedOperationException", "the emulator does not implement asymmetric "+op+" ("+k.spec+")")
	}
	return nil
}

func kmsCheckAlgorithm(alg string) *wire.APIError {
	switch alg {
	case "", "SYMMETRIC_DEFAULT":
		return nil
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return wire.Errorf("InvalidKeyUsageException", "The encryption algorithm "+alg+" is not valid for a symmetric key.")
	}
	return kmsValidation("1 validation error detected: Value '" + alg + "' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")
}

func (s *Service) encrypt(c *core.Call) (any, error) {
	var in struct {
		KeyID               string            `json:"KeyId"`
		Plaintext           []byte            `json:"Plaintext"`
		EncryptionContext   map[string]string `json:"EncryptionContext"`
		EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	k, apiErr := s.resolveKey(c, in.KeyID)
	if apiErr != nil {
		return nil, apiErr
	}
	s.recordKey(c, k, map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	if len(in.Plaintext) < 1 || len(in.Plaintext) > 4096 {
		return nil, kmsValidation("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	if apiErr := kmsCheckAlgorithm(in.EncryptionAlgorithm); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := k.usable(); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := k.checkSymmetric("Encrypt"); apiErr != nil {
		return nil, apiErr
	}
	blob, err := k.seal(in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return struct {
		CiphertextBlob      []byte `json:"CiphertextBlob"`
		KeyID               string `json:"KeyId"`
		EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
	}{blob, k.arn, "SYMMETRIC_DEFAULT"}, nil
}

func (s *Service) decrypt(c *core.Call) (any, error) {
	var in struct {
		KeyID               string            `json:"KeyId"`
		CiphertextBlob      []byte            `json:"CiphertextBlob"`
		EncryptionContext   map[string]string `json:"EncryptionContext"`
		EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.CiphertextBlob) < 1 || len(in.CiphertextBlob) > 6144 {
		return nil, kmsValidation("1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and 6144")
	}
	if apiErr := kmsCheckAlgorithm(in.EncryptionAlgorithm); apiErr != nil {
		return nil, apiErr
	}
	blob := in.CiphertextBlob
	if len(blob) < kmsBlobMin || blob[0] != kmsBlobVersion || !kmsIsUUID(string(blob[1:1+kmsIDLen])) {
		return nil, kmsInvalidCiphertext()
	}
	blobKeyID := string(blob[1 : 1+kmsIDLen])
	k := s.keys[s.keyARN(c.Account(), c.Region, blobKeyID)]
	if in.KeyID != "" {
		named, apiErr := s.resolveKey(c, in.KeyID)
		if apiErr != nil {
			return nil, apiErr
		}
		s.recordKey(c, named, map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
		if k == nil || named != k {
			// The key named in the request is not the one that encrypted the blob.
			return nil, wire.Errorf("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	if k == nil {
		return nil, kmsInvalidCiphertext()
	}
	s.recordKey(c, k, map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := k.usable(); apiErr != nil {
		return nil, apiErr
	}
	nonce := blob[1+kmsIDLen : 1+kmsIDLen+kmsNonceLen]
	gcm, err := kmsGCM(k.material)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, blob[1+kmsIDLen+kmsNonceLen:], kmsAAD(k.id, in.EncryptionContext))
	if err != nil {
		return nil, kmsInvalidCiphertext()
	}
	return struct {
		KeyID               string `json:"KeyId"`
		Plaintext           []byte `json:"Plaintext"`
		EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
		KeyMaterialID       string `json:"KeyMaterialId"`
	}{k.arn, plain, "SYMMETRIC_DEFAULT", k.materialID}, nil
}

type kmsDataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext,omitempty"`
	KeyID          string `json:"KeyId"`
	KeyMaterialID  string `json:"KeyMaterialId"`
}

func (s *Service) dataKey(c *core.Call) (*kmsDataKeyOutput, error) {
	var in struct {
		KeyID             string            `json:"KeyId"`
		KeySpec           string            `json:"KeySpec"`
		NumberOfBytes     *int              `json:"NumberOfBytes"`
		EncryptionContext map[string]string `json:"EncryptionContext"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	k, apiErr := s.resolveKey(c, in.KeyID)
	if apiErr != nil {
		return nil, apiErr
	}
	s.recordKey(c, k, nil)
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	var n int
	switch {
	case in.KeySpec != "" && in.NumberOfBytes != nil:
		return nil, kmsValidation("Please specify either number of bytes or key spec.")
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	case in.KeySpec != "":
		return nil, kmsValidation("1 validation error detected: Value '" + in.KeySpec + "' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")
	case in.NumberOfBytes != nil:
		n = *in.NumberOfBytes
		if n < 1 || n > 1024 {
			return nil, kmsValidation("1 validation error detected: Value '" + strconv.Itoa(n) + "' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")
		}
	default:
		return nil, kmsValidation("Please specify either number of bytes or key spec.")
	}
	if apiErr := k.usable(); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := k.checkSymmetric("GenerateDataKey"); apiErr != nil {
		return nil, apiErr
	}
	plain := make([]byte, n)
	_, _ = rand.Read(plain)
	blob, err := k.seal(plain, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &kmsDataKeyOutput{CiphertextBlob: blob, Plaintext: plain, KeyID: k.arn, KeyMaterialID: k.materialID}, nil
}

func (s *Service) generateDataKey(c *core.Call) (any, error) {
	out, err := s.dataKey(c)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) generateDataKeyWithoutPlaintext(c *core.Call) (any, error) {
	out, err := s.dataKey(c)
	if err != nil {
		return nil, err
	}
	out.Plaintext = nil
	return out, nil
}
