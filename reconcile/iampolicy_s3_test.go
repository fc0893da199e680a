package reconcile_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

// The lease and the S3 spec are the only S3 objects kmswatch touches. The policy must grant
// what their calls need on those two keys and nothing else: the locations are the ECS example's
// (--lease and -f s3://), the calls are those the lease and the spec source make against the
// emulator, recorded with the bucket and key of each.

// s3Use is an IAM action kmswatch needs on a resource; prefix is the s3:prefix a ListBucket
// needs (the key of the object whose absence must read as 404, not 403).
type s3Use struct{ action, resource, prefix string }

// ecsS3Locations reads --lease and -f s3://… from the ECS example's kmswatch command.
func ecsS3Locations(t *testing.T) (leaseLoc, specLoc s3object.Location) {
	t.Helper()
	data, err := os.ReadFile("../examples/ecs-task-definition.json")
	if err != nil {
		t.Fatal(err)
	}
	var td struct {
		ContainerDefinitions []struct {
			Name    string   `json:"name"`
			Command []string `json:"command"`
		} `json:"containerDefinitions"`
	}
	if err := json.Unmarshal(data, &td); err != nil {
		t.Fatal(err)
	}
	flagValue := func(cmd []string, name string) string {
		for i := 0; i+1 < len(cmd); i++ {
			if cmd[i] == name {
				return cmd[i+1]
			}
		}
		return ""
	}
	for _, c := range td.ContainerDefinitions {
		if c.Name != "kmswatch" {
			continue
		}
		var errL, errS error
		leaseLoc, errL = s3object.ParseURL(flagValue(c.Command, "--lease"))
		specLoc, errS = s3object.ParseURL(flagValue(c.Command, "-f"))
		if errL != nil || errS != nil {
			t.Fatalf("the ECS example's kmswatch command %v: --lease %v, -f %v", c.Command, errL, errS)
		}
		return leaseLoc, specLoc
	}
	t.Fatal("no kmswatch container in the ECS example")
	return
}

// leaseAndSpecS3Uses runs an election (take, renew, release, take over a released lease) and
// the S3 spec source (read, conditional poll) against the emulator and returns what their calls
// need, as "service:Operation" call keys and IAM uses.
func leaseAndSpecS3Uses(t *testing.T, leaseLoc, specLoc s3object.Location) (map[string]bool, []s3Use) {
	t.Helper()
	e := awsemu.New(awsemu.Options{Region: "ap-southeast-2", AccountID: "111122223333"})
	e.SeedBucket(leaseLoc.Bucket)
	e.SeedBucket(specLoc.Bucket)
	rec := awsemu.NewRecorder(e, awsemu.RecorderOptions{})
	srv := httptest.NewServer(rec)
	defer srv.Close()
	client := func(key string) *s3.Client {
		return awsclient.NewS3(aws.Config{Region: "ap-southeast-2", BaseEndpoint: aws.String(srv.URL), HTTPClient: awsemu.HTTPClient(),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: key, SecretAccessKey: "x"}, nil
			})}, awsclient.Options{})
	}
	ctx := context.Background()
	if _, err := client("AKIAPUBLISHER").PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(specLoc.Bucket), Key: aws.String(specLoc.Key),
		Body: strings.NewReader("apiVersion: kmswatch.dev/v1alpha1\n")}); err != nil {
		t.Fatal(err)
	}
	kmswatch := client("AKIAKMSWATCH")
	for i := 0; i < 2; i++ { // the second Hold finds the first one's released record and takes it over
		el, err := lease.New(lease.Config{Client: kmswatch, Lease: leaseLoc, Duration: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := el.Hold(ctx, 0, func(context.Context) error { time.Sleep(1100 * time.Millisecond); return nil }); err != nil {
			t.Fatalf("hold the lease: %v", err)
		}
	}
	src := specsource.NewS3(kmswatch, specLoc)
	snap, err := src.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Poll(ctx, snap.Version); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var uses []s3Use
	for _, c := range rec.Calls() {
		if c.AccessKey != "AKIAKMSWATCH" {
			continue
		}
		keys[c.Service+":"+c.Op] = true
		object := "arn:aws:s3:::" + c.Bucket + "/" + c.Key
		switch c.Op {
		case "GetObject", "HeadObject":
			// Without s3:ListBucket, S3 answers a missing object with 403, not 404.
			uses = append(uses, s3Use{"s3:GetObject", object, ""}, s3Use{"s3:ListBucket", "arn:aws:s3:::" + c.Bucket, c.Key})
		case "PutObject":
			// A conditional write with If-Match needs s3:GetObject as well.
			// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
			uses = append(uses, s3Use{"s3:PutObject", object, ""}, s3Use{"s3:GetObject", object, ""})
		default:
			t.Errorf("the lease or the spec source called s3:%s", c.Op)
		}
	}
	slices.SortFunc(uses, func(a, b s3Use) int {
		return strings.Compare(a.action+a.resource+a.prefix, b.action+b.resource+b.prefix)
	})
	return keys, slices.Compact(uses)
}

// TestIAMPolicyS3OnTheLeaseAndSpecOnly: every S3 call of the lease and the spec source is
// granted, on the ECS example's two objects only; ListBucket only for their two keys.
func TestIAMPolicyS3OnTheLeaseAndSpecOnly(t *testing.T) {
	leaseLoc, specLoc := ecsS3Locations(t)
	keys, uses := leaseAndSpecS3Uses(t, leaseLoc, specLoc)
	for _, want := range []string{"s3:GetObject", "s3:PutObject"} {
		if !keys[want] {
			t.Errorf("the lease and spec source never called %s: %v", want, keys)
		}
	}
	p := readPolicy(t)
	var s3Statements []policyStatement
	for _, st := range p.Statement {
		if slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(a, "s3:") }) {
			s3Statements = append(s3Statements, st)
		}
	}
	for _, u := range uses {
		if !slices.ContainsFunc(s3Statements, func(st policyStatement) bool { return grants(st, u) }) {
			t.Errorf("the policy does not grant %s on %s (prefix %q)", u.action, u.resource, u.prefix)
		}
	}
	allowed := map[string]bool{
		"arn:aws:s3:::" + leaseLoc.Bucket + "/" + leaseLoc.Key: true,
		"arn:aws:s3:::" + specLoc.Bucket + "/" + specLoc.Key:   true,
		"arn:aws:s3:::" + leaseLoc.Bucket:                      true,
		"arn:aws:s3:::" + specLoc.Bucket:                       true,
	}
	for _, st := range s3Statements {
		for _, r := range st.Resource {
			if !allowed[r] {
				t.Errorf("statement %s grants S3 on %s: want the lease's and the spec's objects (and their bucket, for ListBucket) only", st.Sid, r)
			}
		}
		if slices.Contains(st.Action, "s3:ListBucket") {
			prefixes := slices.Clone(st.Condition["StringEquals"]["s3:prefix"])
			sort.Strings(prefixes)
			want := []string{leaseLoc.Key, specLoc.Key}
			sort.Strings(want)
			if len(st.Action) != 1 || !slices.Equal(prefixes, want) {
				t.Errorf("statement %s: ListBucket must stand alone, limited by s3:prefix to %v; has %v, prefixes %v", st.Sid, want, st.Action, prefixes)
			}
		}
		for _, a := range st.Action {
			if a == "s3:PutObject" && (len(st.Resource) != 1 || st.Resource[0] != objectARN(leaseLoc)) {
				t.Errorf("statement %s grants s3:PutObject on %v: want the lease object alone", st.Sid, st.Resource)
			}
		}
	}
}

func objectARN(l s3object.Location) string { return "arn:aws:s3:::" + l.Bucket + "/" + l.Key }

// grants reports whether st allows u (its action on its resource, and for a ListBucket the
// prefix under the statement's StringEquals condition).
func grants(st policyStatement, u s3Use) bool {
	if st.Effect != "Allow" || !slices.Contains(st.Action, u.action) ||
		!slices.ContainsFunc(st.Resource, func(r string) bool { return iamMatch(r, u.resource) }) {
		return false
	}
	if u.prefix == "" {
		return true
	}
	return slices.Contains(st.Condition["StringEquals"]["s3:prefix"], u.prefix)
}
