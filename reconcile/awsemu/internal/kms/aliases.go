package kms

import (
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// kmsCheckAliasName applies CreateAlias's rules: "alias/" then [a-zA-Z0-9/_-], at most 256
// characters, and never the "alias/aws/" prefix that AWS-managed keys use.
func kmsCheckAliasName(name string) *wire.APIError {
	if !strings.HasPrefix(name, "alias/") || len(name) <= len("alias/") || len(name) > 256 {
		return kmsValidation("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
	}
	for _, r := range strings.TrimPrefix(name, "alias/") {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '_' || r == '-') {
			return kmsValidation("1 validation error detected: Value '" + name + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")
		}
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return wire.Errorf("NotAuthorizedException", "Cannot create or update an alias that begins with alias/aws/: those are reserved for AWS managed keys")
	}
	return nil
}

// aliasTarget resolves TargetKeyId, which must name a key (id or key ARN), never an alias.
func (s *Service) aliasTarget(c *core.Call, ref string) (*kmsKey, *wire.APIError) {
	if strings.HasPrefix(ref, "alias/") || strings.Contains(ref, ":alias/") {
		return nil, kmsValidation("Aliases must refer to keys. Not aliases")
	}
	k, apiErr := s.resolveKey(c, ref)
	if apiErr != nil {
		return nil, apiErr
	}
	if k.state == "PendingDeletion" {
		return nil, wire.Errorf("KMSInvalidStateException", k.arn+" is pending deletion.")
	}
	return k, nil
}

func (s *Service) createAlias(c *core.Call) (any, error) {
	var in struct {
		AliasName   string `json:"AliasName"`
		TargetKeyID string `json:"TargetKeyId"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if apiErr := kmsCheckAliasName(in.AliasName); apiErr != nil {
		return nil, apiErr
	}
	k, apiErr := s.aliasTarget(c, in.TargetKeyID)
	if apiErr != nil {
		return nil, apiErr
	}
	s.recordKey(c, k, nil)
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	arn := s.aliasARN(c.Account(), c.Region, in.AliasName)
	if s.aliases[arn] != nil {
		return nil, wire.Errorf("AlreadyExistsException", "An alias with the name "+arn+" already exists")
	}
	s.aliases[arn] = &kmsAlias{name: in.AliasName, arn: arn, account: c.Account(), region: c.Region, target: k.id, created: c.Now, updated: c.Now}
	return struct{}{}, nil
}

func (s *Service) updateAlias(c *core.Call) (any, error) {
	var in struct {
		AliasName   string `json:"AliasName"`
		TargetKeyID string `json:"TargetKeyId"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	a := s.aliases[s.aliasARN(c.Account(), c.Region, in.AliasName)]
	if a == nil {
		return nil, kmsNotFound("Alias " + s.aliasARN(c.Account(), c.Region, in.AliasName) + " is not found.")
	}
	k, apiErr := s.aliasTarget(c, in.TargetKeyID)
	if apiErr != nil {
		return nil, apiErr
	}
	s.recordKey(c, k, nil)
	if apiErr := s.authorize(c, k.arn); apiErr != nil {
		return nil, apiErr
	}
	a.target, a.updated = k.id, c.Now
	return struct{}{}, nil
}

func (s *Service) deleteAlias(c *core.Call) (any, error) {
	var in struct {
		AliasName string `json:"AliasName"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	arn := s.aliasARN(c.Account(), c.Region, in.AliasName)
	if s.aliases[arn] == nil {
		return nil, kmsNotFound("Alias " + arn + " is not found.")
	}
	if apiErr := s.authorize(c, arn); apiErr != nil {
		return nil, apiErr
	}
	delete(s.aliases, arn)
	return struct{}{}, nil
}

type kmsAliasEntry struct {
	AliasName       string    `json:"AliasName"`
	AliasArn        string    `json:"AliasArn"`
	TargetKeyID     string    `json:"TargetKeyId"`
	CreationDate    time.Time `json:"CreationDate"`
	LastUpdatedDate time.Time `json:"LastUpdatedDate"`
}

func (s *Service) listAliases(c *core.Call) (any, error) {
	var in struct {
		KeyID  string `json:"KeyId"`
		Limit  *int   `json:"Limit"`
		Marker string `json:"Marker"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if apiErr := s.authorize(c, "*"); apiErr != nil {
		return nil, apiErr
	}
	limit, apiErr := kmsLimit(in.Limit, 100, 50)
	if apiErr != nil {
		return nil, apiErr
	}
	target := ""
	if in.KeyID != "" {
		k, apiErr := s.resolveKey(c, in.KeyID)
		if apiErr != nil {
			return nil, apiErr
		}
		target = k.id
	}
	var list []*kmsAlias
	for _, a := range s.aliases {
		if a.region == c.Region && a.account == c.Account() && (target == "" || a.target == target) {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	start, apiErr := kmsParseMarker("aliases", in.Marker, len(list))
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		Aliases    []kmsAliasEntry `json:"Aliases"`
		NextMarker string          `json:"NextMarker,omitempty"`
		Truncated  bool            `json:"Truncated"`
	}{Aliases: []kmsAliasEntry{}}
	end := min(start+limit, len(list))
	for _, a := range list[start:end] {
		out.Aliases = append(out.Aliases, kmsAliasEntry{a.name, a.arn, a.target, a.created, a.updated})
	}
	if end < len(list) {
		out.Truncated, out.NextMarker = true, kmsMarker("aliases", end)
	}
	return out, nil
}
