package awsemu

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// principal is who a request is made as, decided by the access key that signed it.
type principal struct {
	Type        string // IAMUser or AssumedRole
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
func (e *Emulator) AddUser(accessKey, userName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.principals[accessKey] = principal{
		Type: "IAMUser", ARN: "arn:aws:iam::" + e.acct + ":user/" + userName,
		PrincipalID: "AIDA" + fakeID(userName), AccessKey: accessKey, UserName: userName,
	}
}

// AddRoleSession makes requests signed with accessKey come from a session of roleArn, as an ECS
// task's role credentials do: userIdentity.arn is the assumed-role ARN and
// userIdentity.sessionContext.sessionIssuer.arn is roleArn.
func (e *Emulator) AddRoleSession(accessKey, roleArn, sessionName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	roleName := roleArn[strings.LastIndex(roleArn, "/")+1:]
	id := "AROA" + fakeID(roleArn)
	e.principals[accessKey] = principal{
		Type: "AssumedRole", ARN: "arn:aws:sts::" + e.acct + ":assumed-role/" + roleName + "/" + sessionName,
		PrincipalID: id + ":" + sessionName, AccessKey: accessKey,
		IssuerARN: roleArn, IssuerID: id, SessionName: sessionName, UserName: roleName,
	}
}

// principalFor resolves an access key; unknown keys are the IAM user "emulator-user".
func (e *Emulator) principalFor(accessKey string) principal {
	if p, ok := e.principals[accessKey]; ok {
		return p
	}
	return principal{
		Type: "IAMUser", ARN: "arn:aws:iam::" + e.acct + ":user/emulator-user",
		PrincipalID: "AIDA" + fakeID("emulator-user"), AccessKey: accessKey, UserName: "emulator-user",
	}
}

// fakeID derives a stable upper-case id suffix, so records are deterministic across runs.
func fakeID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// identity is CloudTrail's userIdentity block for this principal.
func (p principal) identity(acct string, now time.Time) map[string]any {
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
