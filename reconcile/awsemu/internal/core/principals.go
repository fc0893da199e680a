package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Principal is who a request is made as, decided by the access key that signed it.
type Principal struct {
	Type string // IAMUser or AssumedRole
	// Account is the account the principal belongs to: the emulator's own, or (for a role
	// session of another account's role) a member account of its organization.
	Account     string
	ARN         string
	PrincipalID string
	AccessKey   string
	// For AssumedRole: the role the session was issued by.
	IssuerARN   string
	IssuerID    string
	SessionName string
	UserName    string
}

// AddUser makes requests signed with accessKey come from IAM user userName.
func (w *World) AddUser(accessKey, userName string) {
	w.principals[accessKey] = Principal{
		Type: "IAMUser", Account: w.Account, ARN: "arn:aws:iam::" + w.Account + ":user/" + userName,
		PrincipalID: "AIDA" + fakeID(userName), AccessKey: accessKey, UserName: userName,
	}
}

// AddRoleSession makes requests signed with accessKey come from a session of roleArn, as an ECS
// task's role credentials do: userIdentity.arn is the assumed-role ARN and
// userIdentity.sessionContext.sessionIssuer.arn is roleArn. The session belongs to the role's
// account, which roleArn names (the emulator's own when it names none).
func (w *World) AddRoleSession(accessKey, roleArn, sessionName string) {
	roleName := roleArn[strings.LastIndex(roleArn, "/")+1:]
	acct := w.Account
	if parts := strings.SplitN(roleArn, ":", 6); len(parts) == 6 && parts[4] != "" {
		acct = parts[4]
	}
	id := "AROA" + fakeID(roleArn)
	w.principals[accessKey] = Principal{
		Type: "AssumedRole", Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/" + roleName + "/" + sessionName,
		PrincipalID: id + ":" + sessionName, AccessKey: accessKey,
		IssuerARN: roleArn, IssuerID: id, SessionName: sessionName, UserName: roleName,
	}
}

// PrincipalFor resolves an access key; unknown keys are the IAM user "emulator-user".
func (w *World) PrincipalFor(accessKey string) Principal {
	if p, ok := w.principals[accessKey]; ok {
		return p
	}
	return Principal{
		Type: "IAMUser", Account: w.Account, ARN: "arn:aws:iam::" + w.Account + ":user/emulator-user",
		PrincipalID: "AIDA" + fakeID("emulator-user"), AccessKey: accessKey, UserName: "emulator-user",
	}
}

// fakeID derives a stable upper-case id suffix, so records are deterministic across runs.
func fakeID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// Identity is CloudTrail's userIdentity block for this principal.
func (p Principal) Identity(now time.Time) map[string]any {
	acct := p.Account
	id := map[string]any{
		"type": p.Type, "principalId": p.PrincipalID, "arn": p.ARN,
		"accountId": acct, "accessKeyId": p.AccessKey,
	}
	if p.Type == "AssumedRole" {
		id["sessionContext"] = map[string]any{
			"sessionIssuer": map[string]any{
				"type": "Role", "principalId": p.IssuerID, "arn": p.IssuerARN,
				"accountId": acct, "userName": p.UserName,
			},
			"attributes": map[string]any{
				"creationDate":     now.Add(-15 * time.Minute).UTC().Format("2006-01-02T15:04:05Z"),
				"mfaAuthenticated": "false",
			},
		}
	} else {
		id["userName"] = p.UserName
	}
	return id
}
