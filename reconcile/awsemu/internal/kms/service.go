package kms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Service is the emulated KMS: symmetric keys whose material really encrypts (AES-256-GCM),
// aliases, key states (Enabled, Disabled, PendingDeletion, then gone), and identity-policy
// denials for chosen principals.
type Service struct {
	w       *core.World
	keys    map[string]*kmsKey   // by key ARN
	aliases map[string]*kmsAlias // by alias ARN
	// denied maps an access key to the actions ("kms:Decrypt"; "*" for all) its identity
	// policies do not allow.
	denied map[string]map[string]bool
	seq    int64
}

type kmsKey struct {
	id, arn, account, region string
	seq                      int64
	material                 []byte // 32 random bytes: the AES-256 key
	materialID               string
	description              string
	usage, spec              string
	state                    string // Enabled, Disabled, PendingDeletion
	multiRegion              bool
	created                  time.Time
	deletion                 time.Time
	pendingDays              int
}

type kmsAlias struct {
	name, arn, account, region, target string
	created, updated                   time.Time
}

// Register adds KMS to w and returns it, for the key-policy modelling (Deny, Allow).
func Register(w *core.World) *Service {
	s := &Service{w: w, keys: map[string]*kmsKey{}, aliases: map[string]*kmsAlias{}, denied: map[string]map[string]bool{}}
	w.Register("kms", map[string]core.OpFunc{
		"CreateKey":                       s.createKey,
		"DescribeKey":                     s.describeKey,
		"ListKeys":                        s.listKeys,
		"EnableKey":                       s.enableKey,
		"DisableKey":                      s.disableKey,
		"ScheduleKeyDeletion":             s.scheduleKeyDeletion,
		"CancelKeyDeletion":               s.cancelKeyDeletion,
		"TagResource":                     s.tagResource,
		"UntagResource":                   s.untagResource,
		"ListResourceTags":                s.listResourceTags,
		"CreateAlias":                     s.createAlias,
		"UpdateAlias":                     s.updateAlias,
		"DeleteAlias":                     s.deleteAlias,
		"ListAliases":                     s.listAliases,
		"Encrypt":                         s.encrypt,
		"Decrypt":                         s.decrypt,
		"GenerateDataKey":                 s.generateDataKey,
		"GenerateDataKeyWithoutPlaintext": s.generateDataKeyWithoutPlaintext,
	})
	w.OnTick(s.deleteDue)
	w.PerAccount("kms")
	w.Bus.KeyState = s.keyState
	return s
}

// keyState is the bus end of w.Bus.KeyState.
func (s *Service) keyState(arn string) (string, bool) {
	k := s.keys[arn]
	if k == nil {
		return "", false
	}
	return k.state, true
}

// Deny makes the identity policies of the principal signing with accessKey deny the given
// KMS actions ("Decrypt", "kms:Encrypt"; none means every action): its calls fail with
// AccessDeniedException as AWS words it, and CloudTrail records the failure.
func (s *Service) Deny(accessKey string, actions ...string) {
	set := s.denied[accessKey]
	if set == nil {
		set = map[string]bool{}
		s.denied[accessKey] = set
	}
	if len(actions) == 0 {
		set["*"] = true
	}
	for _, a := range actions {
		set["kms:"+strings.TrimPrefix(a, "kms:")] = true
	}
}

// Allow lifts every Deny for accessKey.
func (s *Service) Allow(accessKey string) {
	delete(s.denied, accessKey)
}

// authorize fails the call as IAM would when the caller's identity policies deny the action on
// resource (a key ARN, or "*" for actions on no key).
func (s *Service) authorize(c *core.Call, resource string) *wire.APIError {
	set := s.denied[c.AccessKey]
	action := "kms:" + c.Op
	if !set["*"] && !set[action] {
		return nil
	}
	return wire.Errorf("AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
		c.Principal.ARN, action, resource, action))
}

func kmsNotFound(msg string) *wire.APIError { return wire.Errorf("NotFoundException", msg) }

func kmsValidation(msg string) *wire.APIError { return wire.Errorf("ValidationException", msg) }

// Keys and aliases belong to the account of the principal that made them: KMS keeps accounts
// apart (core.World.PerAccount), so a member account's principal works with its own keys.
func (s *Service) keyARN(acct, region, id string) string {
	return "arn:aws:kms:" + region + ":" + acct + ":key/" + id
}

func (s *Service) aliasARN(acct, region, name string) string {
	return "arn:aws:kms:" + region + ":" + acct + ":" + name
}

// resolveKey finds a key by id, key ARN, alias name or alias ARN in the caller's region, with
// KMS's errors for each way of getting it wrong.
func (s *Service) resolveKey(c *core.Call, ref string) (*kmsKey, *wire.APIError) {
	if ref == "" {
		return nil, kmsValidation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	if len(ref) > 2048 {
		return nil, kmsValidation("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	region, name := c.Region, ref
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" || parts[3] == "" || parts[4] == "" ||
			!(strings.HasPrefix(parts[5], "key/") || strings.HasPrefix(parts[5], "alias/")) {
			return nil, wire.Errorf("InvalidArnException", "Invalid arn "+ref)
		}
		if parts[3] != c.Region || parts[4] != c.Account() {
			return nil, kmsNotFound("Key '" + ref + "' does not exist")
		}
		region, name = parts[3], strings.TrimPrefix(parts[5], "key/")
	}
	if strings.HasPrefix(name, "alias/") {
		a := s.aliases[s.aliasARN(c.Account(), region, name)]
		if a == nil {
			return nil, kmsNotFound("Alias " + s.aliasARN(c.Account(), region, name) + " is not found.")
		}
		return s.keys[s.keyARN(c.Account(), region, a.target)], nil
	}
	if !kmsIsUUID(name) {
		return nil, kmsNotFound("Invalid keyId '" + name + "'")
	}
	k := s.keys[s.keyARN(c.Account(), region, name)]
	if k == nil {
		return nil, kmsNotFound("Key '" + s.keyARN(c.Account(), region, name) + "' does not exist")
	}
	return k, nil
}

func kmsIsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return false
			}
		}
	}
	return true
}

// usable is the key-state check every cryptographic operation makes.
func (k *kmsKey) usable() *wire.APIError {
	switch k.state {
	case "Disabled":
		return wire.Errorf("DisabledException", k.arn+" is disabled.")
	case "PendingDeletion":
		return wire.Errorf("KMSInvalidStateException", k.arn+" is pending deletion.")
	}
	return nil
}

// recordKey adds what CloudTrail records about the key a call touched: the resources block and,
// for cryptographic operations, the key material id and the algorithm in requestParameters.
func (s *Service) recordKey(c *core.Call, k *kmsKey, params map[string]any) {
	if c.Audit == nil {
		c.Audit = map[string]any{}
	}
	c.Audit["resources"] = []any{map[string]any{"accountId": k.account, "type": "AWS::KMS::Key", "ARN": k.arn}}
	if params != nil {
		rp, _ := core.RequestParameters(c.In).(map[string]any)
		if rp == nil {
			rp = map[string]any{}
		}
		for key, v := range params {
			rp[key] = v
		}
		c.Audit["requestParameters"] = rp
		c.Audit["additionalEventData"] = map[string]any{"keyMaterialId": k.materialID}
	}
}

func kmsMaterialID(material []byte) string {
	sum := sha256.Sum256(material)
	return hex.EncodeToString(sum[:])
}

// deleteDue deletes keys whose waiting period has ended, with their aliases and tags.
func (s *Service) deleteDue(_, to time.Time) {
	for arn, k := range s.keys {
		if k.state != "PendingDeletion" || k.deletion.After(to) {
			continue
		}
		delete(s.keys, arn)
		s.w.Tags.Drop(arn)
		for aarn, a := range s.aliases {
			if a.region == k.region && a.account == k.account && a.target == k.id {
				delete(s.aliases, aarn)
			}
		}
	}
}

// Endpoint is how KMS is addressed on the wire.
var Endpoint = wire.Endpoint{Service: "kms", JSONTarget: "TrentService"}
