package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestGitHubActionsApply runs the workflow's apply step with stand-in kmswatch and aws
// commands: a valid file is validated, then uploaded to the very object the ECS example's tasks
// read (-f s3://…); an invalid one stops the step before any upload. The job runs on a push to
// main only, one at a time.
func TestGitHubActionsApply(t *testing.T) {
	data, err := os.ReadFile("../../examples/github-actions.yml")
	must(t, err)
	var wf struct {
		On   map[string]any `json:"on"`
		True map[string]any `json:"true"` // YAML 1.1 reads the key `on` as true
		Jobs map[string]struct {
			If          string `json:"if"`
			Concurrency struct {
				Group            string `json:"group"`
				CancelInProgress bool   `json:"cancel-in-progress"`
			} `json:"concurrency"`
			Steps []struct{ Name, Shell, Run string } `json:"steps"`
		} `json:"jobs"`
	}
	must(t, yaml.Unmarshal(data, &wf))
	on := wf.On
	if on == nil {
		on = wf.True
	}
	push, _ := on["push"].(map[string]any)
	if branches, _ := push["branches"].([]any); len(branches) != 1 || branches[0] != "main" {
		t.Errorf("the workflow's push trigger %v: want branches [main]", push)
	}
	apply, ok := wf.Jobs["apply"]
	if !ok || !strings.Contains(apply.If, "'push'") || apply.Concurrency.Group == "" || apply.Concurrency.CancelInProgress {
		t.Fatalf("apply job %+v: want it on push only, one at a time", apply)
	}
	var script string
	for _, s := range apply.Steps {
		if strings.Contains(s.Run, "aws s3 cp") {
			script = s.Run
		}
	}
	m := regexp.MustCompile(`aws s3 cp monitor\.yaml (s3://\S+)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatal("no step of the apply job uploads monitor.yaml")
	}
	_, sidecar := loadECSSidecar(t)
	f, err := parseRunFlags(sidecar.Command[1:], &strings.Builder{}, "json")
	must(t, err)
	if m[1] != f.file {
		t.Errorf("the apply job uploads to %s, the ECS tasks read %s", m[1], f.file)
	}

	bin := t.TempDir()
	fakeKmswatch := "#!/bin/sh\necho \"kmswatch $*\" >> \"$CALLS\"\nexit $VALIDATE_CODE\n"
	fakeAWS := "#!/bin/sh\necho \"aws $*\" >> \"$CALLS\"\n"
	must(t, os.WriteFile(filepath.Join(bin, "kmswatch"), []byte(fakeKmswatch), 0o755))
	must(t, os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o755))
	for _, c := range []struct {
		validate string
		wantExit int
		want     string
	}{
		{"0", 0, "kmswatch validate -f monitor.yaml\naws s3 cp monitor.yaml " + f.file},
		{"3", 3, "kmswatch validate -f monitor.yaml"},
	} {
		calls := filepath.Join(t.TempDir(), "calls")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "CALLS="+calls, "VALIDATE_CODE="+c.validate)
		out, _ := cmd.CombinedOutput()
		got, _ := os.ReadFile(calls)
		if code := cmd.ProcessState.ExitCode(); code != c.wantExit || !strings.HasPrefix(string(got), c.want) ||
			(c.wantExit != 0 && strings.Contains(string(got), "aws ")) {
			t.Errorf("validate exit %s: step exit %d (want %d), commands:\n%s\noutput:\n%s", c.validate, code, c.wantExit, got, out)
		}
	}
}
