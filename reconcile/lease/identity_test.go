package lease

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestDetectIdentity(t *testing.T) {
	host, _ := os.Hostname()
	const arn = "arn:aws:ecs:us-east-1:111122223333:task/prod/0abc"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v4/good/task":
			_, _ = w.Write([]byte(`{"Cluster":"prod","TaskARN":"` + arn + `","Family":"kmswatch"}`))
		case "/v4/notarn/task":
			_, _ = w.Write([]byte(`{"TaskARN":"prod/0abc"}`))
		case "/v4/garbage/task":
			_, _ = w.Write([]byte(`<html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == MetadataEnv {
				return v
			}
			return ""
		}
	}
	ctx := context.Background()

	id, err := DetectIdentity(ctx, env(""), nil)
	if err != nil || id.Host != host || id.TaskARN != "" {
		t.Fatalf("outside ECS: %+v, %v", id, err)
	}
	id, err = DetectIdentity(ctx, env(srv.URL+"/v4/good"), srv.Client())
	if err != nil || id.TaskARN != arn || id.Host != host {
		t.Fatalf("in ECS: %+v, %v", id, err)
	}
	if id.Name() != host+" ("+arn+")" {
		t.Fatalf("Name() = %q", id.Name())
	}
	for path, want := range map[string]string{
		"/v4/missing": "404 Not Found", "/v4/notarn": `TaskARN "prod/0abc" is not an ARN`, "/v4/garbage": "invalid character",
	} {
		id, err := DetectIdentity(ctx, env(srv.URL+path), srv.Client())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", path, err, want)
		}
		if id.Host != host || id.TaskARN != "" {
			t.Errorf("%s: identity %+v is not usable without the task", path, id)
		}
	}
}
