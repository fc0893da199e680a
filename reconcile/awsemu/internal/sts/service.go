package sts

import (
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Register adds STS to w.
func Register(w *core.World) {
	w.Register("sts", map[string]core.OpFunc{
		"GetCallerIdentity": func(c *core.Call) (any, error) { return getCallerIdentity(w, c) },
	})
}

// getCallerIdentity answers the caller's account, user id and ARN. "No permissions are required
// to perform this operation" (the STS API reference), so it never fails for a signed request.
// UserId is the principal id: AIDA… for a user, AROA…:session for an assumed role.
func getCallerIdentity(w *core.World, c *core.Call) (any, error) {
	var in struct{}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	return struct {
		Account string
		Arn     string
		UserId  string
	}{w.Account, c.Principal.ARN, c.Principal.PrincipalID}, nil
}

// Endpoint is how STS is addressed on the wire.
var Endpoint = wire.Endpoint{
	Service:        "sts",
	QueryVersion:   "2011-06-15",
	QueryNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
}
