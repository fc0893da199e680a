package spec_test

import (
	"fmt"

	"github.com/kmswatch/kmswatch/spec"
)

// The match shorthand compiles to one canonical JSON pattern: clauses in a fixed order, each
// parenthesised, joined with &&; lists become ||-groups; principalArn matches the role behind a
// session or the caller itself.
func ExampleAlarm_Pattern() {
	a := spec.Alarm{Match: &spec.Match{
		EventSource:  "kms.amazonaws.com",
		EventNames:   []string{"Decrypt", "GenerateDataKey"},
		ErrorsOnly:   true,
		PrincipalArn: "arn:aws:iam::111122223333:role/app",
	}}
	fmt.Println(a.Pattern())

	b := spec.Alarm{Match: &spec.Match{SuccessOnly: true, EventNames: []string{"Decrypt"}}}
	fmt.Println(b.Pattern())

	c := spec.Alarm{Match: &spec.Match{ErrorCodes: []string{"AccessDenied*", "*UnauthorizedOperation"}}}
	fmt.Println(c.Pattern())

	// filterPattern goes to AWS byte for byte: CIS auditors compare the exact string.
	d := spec.Alarm{FilterPattern: `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`}
	fmt.Println(d.Pattern())
	// Output:
	// { ($.eventSource = "kms.amazonaws.com") && (($.eventName = "Decrypt") || ($.eventName = "GenerateDataKey")) && ($.errorCode = "*") && (($.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::111122223333:role/app") || ($.userIdentity.arn = "arn:aws:iam::111122223333:role/app")) }
	// { ($.eventName = "Decrypt") && ($.errorCode NOT EXISTS) }
	// { ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") }
	// {($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}
}
