package reconcile

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/reconcile/selectors"
)

// orgTrail is a desired trail of account 111122223333 and the same trail as observed, owned.
func orgTrail(want, got *bool) (*Trail, *Trail) {
	w := &Trail{Name: "t", ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", MultiRegion: true, Logging: true,
		Management: selectors.Management{Included: true, ReadWriteType: "All"}, Organization: want, Tags: ownedTags("m")}
	g := *w
	g.Organization = got
	return w, &g
}

func TestDiffTrailOrganization(t *testing.T) {
	yes, no := aws.Bool(true), aws.Bool(false)
	cases := []struct {
		name      string
		want, got *bool
		changes   []FieldChange
	}{
		{"unset: an organization trail is left as it is", nil, yes, nil},
		{"unset: an account trail is left as it is", nil, no, nil},
		{"wanted and is", yes, yes, nil},
		{"wanted, is an account trail", yes, no, []FieldChange{{"organization", "false", "true"}}},
		{"not wanted, is an organization trail", no, yes, []FieldChange{{"organization", "true", "false"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, g := orgTrail(tc.want, tc.got)
			if d := cmp.Diff(tc.changes, []FieldChange(diffTrail(w, g))); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			in, ok := trailUpdate(w, diffTrail(w, g))
			if ok != (tc.changes != nil) || (ok && aws.ToBool(in.IsOrganizationTrail) != *tc.want) {
				t.Errorf("update %v %+v", ok, in)
			}
		})
	}
}

// TestDiffForeignTrail: a trail of the desired name that another account owns — an organization
// trail seen from a member account — is a conflict, whatever adopt says, and nothing is written.
func TestDiffForeignTrail(t *testing.T) {
	w, _ := orgTrail(aws.Bool(true), nil)
	w.Adopt = true
	g := &Trail{Name: "t", ARN: "arn:aws:cloudtrail:us-east-1:999988887777:trail/t", Organization: aws.Bool(true)}
	p := Diff(State{Monitor: "m", Trail: w}, Actual{Trails: []Trail{*g}})
	if len(p.Steps) != 1 {
		t.Fatalf("steps %+v", p.Steps)
	}
	s := p.Steps[0]
	if s.Action != ActionConflict || s.apply != nil || s.State != "" ||
		!strings.Contains(s.Message, "an organization trail of account 999988887777 has this name") ||
		!strings.Contains(s.Message, "run it in account 999988887777") {
		t.Errorf("step %s %q state %q, apply set %v", s.Action, s.Message, s.State, s.apply != nil)
	}
	// The account's own trail is no conflict.
	w, g = orgTrail(aws.Bool(true), aws.Bool(true))
	if p := Diff(State{Monitor: "m", Trail: w}, Actual{Trails: []Trail{*g}}); p.Steps[0].Action != ActionNoop {
		t.Errorf("own trail: %s %q", p.Steps[0].Action, p.Steps[0].Message)
	}
}

// TestTrailWriteError: each of CloudTrail's refusals of an organization trail becomes a terminal
// error that says what was being done, what to fix, and keeps the AWS error; other errors are
// only wrapped, and stay as terminal as they were.
func TestTrailWriteError(t *testing.T) {
	fixes := map[string]string{
		"OrganizationsNotInUseException":                         "account 111122223333 is not in an AWS Organization",
		"OrganizationNotInAllFeaturesModeException":              "enable all features in AWS Organizations",
		"NotOrganizationMasterAccountException":                  "account 111122223333 is not its organization's management account",
		"NotOrganizationManagementAccountException":              "so run kmswatch there",
		"CloudTrailAccessNotEnabledException":                    "enable-aws-service-access --service-principal cloudtrail.amazonaws.com",
		"NoManagementAccountSLRExistsException":                  "AWSServiceRoleForCloudTrail",
		"InsufficientDependencyServiceAccessPermissionException": "organizations:ListAWSServiceAccessForOrganization",
	}
	for code, fix := range fixes {
		apiErr := &smithy.GenericAPIError{Code: code, Message: "as AWS says it"}
		err := trailWriteError("create trail t", apiErr, "111122223333")
		var ae smithy.APIError
		if !IsTerminal(err) || !errors.As(err, &ae) || ae.ErrorCode() != code {
			t.Errorf("%s: %v is not terminal or lost the AWS error", code, err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "create trail t: ") || !strings.Contains(msg, fix) || !strings.Contains(msg, "as AWS says it") {
			t.Errorf("%s: %q, want what was done, the fix %q and AWS's message", code, msg, fix)
		}
	}
	for code, terminal := range map[string]bool{"ThrottlingException": false, "InvalidTrailNameException": true} {
		err := trailWriteError("update trail t", &smithy.GenericAPIError{Code: code, Message: "m"}, "1")
		if _, explained := err.(*TerminalError); explained || IsTerminal(err) != terminal || err.Error() != "update trail t: api error "+code+": m" {
			t.Errorf("%s: %T %q terminal=%v", code, err, err, IsTerminal(err))
		}
	}
}
