package s3object

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		in   string
		want Location
	}{
		{"s3://kmswatch-state/lease", Location{"kmswatch-state", "lease"}},
		{"s3://my.bucket-1/prod/monitor.yaml", Location{"my.bucket-1", "prod/monitor.yaml"}},
		{"s3://abc/a/b/c d.yaml", Location{"abc", "a/b/c d.yaml"}},
	}
	for _, c := range good {
		got, err := ParseURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
		if got.String() != c.in {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), c.in)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"kmswatch-state/lease", "must start with s3://"},
		{"https://kmswatch-state.s3.amazonaws.com/lease", "must start with s3://"},
		{"s3://kmswatch-state", "no object key"},
		{"s3://kmswatch-state/", "no object key"},
		{"s3://ab/lease", `bucket "ab": must be 3 to 63 characters long, is 2`},
		{"s3://" + strings.Repeat("a", 64) + "/k", "must be 3 to 63 characters long, is 64"},
		{"s3://Kmswatch/lease", `may hold only lower-case letters, digits, '.' and '-', has 'K'`},
		{"s3://kms_watch/lease", `has '_'`},
		{"s3://-kmswatch/lease", "must begin and end with a letter or a digit"},
		{"s3://kms..watch/lease", "two adjacent periods"},
		{"s3://kmswatch-state/leases/", `key "leases/" ends in / and so names a folder`},
		{"s3://kmswatch-state/" + strings.Repeat("k", 1025), "key is 1025 bytes long"},
	}
	for _, c := range bad {
		_, err := ParseURL(c.in)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("ParseURL(%q) error = %v, want it to contain %q", c.in, err, c.wantErr)
		}
	}
}
