package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// kmswatchArgs extracts the arguments of the first "kmswatch ..." command in a shell script.
func kmswatchArgs(t *testing.T, script string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*kmswatch ([^>|\n]*)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("no kmswatch command in:\n%s", script)
	}
	return strings.Fields(m[1])
}

// TestGitHubActionsDriftGate runs the workflow's drift step with a stand-in kmswatch that exits
// with each code of the contract, and checks that the step fails exactly on drift, invalid spec,
// a broken pipeline and errors, with a message naming the cause.
func TestGitHubActionsDriftGate(t *testing.T) {
	data, err := os.ReadFile("../../examples/github-actions.yml")
	must(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name, Shell, Run string
			} `json:"steps"`
		} `json:"jobs"`
	}
	must(t, yaml.Unmarshal(data, &wf))
	var script string
	for _, s := range wf.Jobs["drift"].Steps {
		if strings.Contains(s.Run, "kmswatch --once") {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatal("no step runs kmswatch --once")
	}
	args := kmswatchArgs(t, script)
	f, err := parseRunFlags(args, &bytes.Buffer{}, "json")
	if err != nil || !f.once || !f.dryRun || f.output != "json" {
		t.Fatalf("the gate's command %v: %v %+v; want --once --dry-run --output json", args, err, f)
	}

	bin := t.TempDir()
	fake := "#!/bin/sh\necho '{\"id\":\"Alarm/a\",\"action\":\"update\",\"applied\":false}'\necho '{\"id\":\"Topic/t\",\"action\":\"noop\",\"applied\":false}'\n" +
		"echo '{\"id\":\"Pipeline/m\",\"kind\":\"Pipeline\",\"name\":\"m\",\"status\":\"broken\"}'\nexit $FAKE_CODE\n"
	must(t, os.WriteFile(filepath.Join(bin, "kmswatch"), []byte(fake), 0o755))
	cases := []struct {
		code     string
		wantExit int
		wantOut  string
	}{
		{"0", 0, "No drift"},
		{"2", 2, "Drift detected"},
		{"3", 3, "Invalid monitor.yaml"},
		{"1", 1, "Pipeline broken or AWS errors"},
		{"4", 4, "could not read AWS"},
	}
	for _, c := range cases {
		work := t.TempDir()
		// As GitHub runs a bash step: bash --noprofile --norc -eo pipefail {0}.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_CODE="+c.code)
		out, _ := cmd.CombinedOutput()
		if got := cmd.ProcessState.ExitCode(); got != c.wantExit || !strings.Contains(string(out), c.wantOut) {
			t.Errorf("kmswatch exit %s: step exit %d, want %d; output:\n%s", c.code, got, c.wantExit, out)
		}
		if c.code == "2" && (!strings.Contains(string(out), "Alarm/a") || strings.Contains(string(out), "Topic/t") || strings.Contains(string(out), "Pipeline/m")) {
			t.Errorf("drift output should name the drifted resource and not the unchanged one, nor the pipeline:\n%s", out)
		}
		if c.code == "1" && !strings.Contains(string(out), `"status":"broken"`) {
			t.Errorf("a broken pipeline's output should show the pipeline line:\n%s", out)
		}
	}
}

// ecsContainer is the part of an ECS container definition that the test checks.
type ecsContainer struct {
	Name                   string   `json:"name"`
	Essential              *bool    `json:"essential"`
	Command                []string `json:"command"`
	User                   string   `json:"user"`
	ReadonlyRootFilesystem bool     `json:"readonlyRootFilesystem"`
	StopTimeout            int      `json:"stopTimeout"`
	HealthCheck            *struct {
		Command []string `json:"command"`
	} `json:"healthCheck"`
	LogConfiguration struct {
		LogDriver string `json:"logDriver"`
	} `json:"logConfiguration"`
	PortMappings []struct {
		ContainerPort int `json:"containerPort"`
	} `json:"portMappings"`
	Secrets []struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
}

func loadECSSidecar(t *testing.T) (taskRole string, c ecsContainer) {
	t.Helper()
	data, err := os.ReadFile("../../examples/ecs-task-definition.json")
	must(t, err)
	var td struct {
		TaskRoleArn string         `json:"taskRoleArn"`
		Containers  []ecsContainer `json:"containerDefinitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	must(t, dec.Decode(&td))
	for _, c := range td.Containers {
		if c.Name == "kmswatch" {
			return td.TaskRoleArn, c
		}
	}
	t.Fatal("no kmswatch container in the task definition")
	return "", ecsContainer{}
}

// TestECSTaskDefinition checks the sidecar's definition against the binary's contract: a
// non-essential container whose command parses, a health check that uses the binary's own
// healthcheck subcommand on the port it listens on, non-root, read-only, awslogs.
func TestECSTaskDefinition(t *testing.T) {
	role, c := loadECSSidecar(t)
	if role == "" {
		t.Error("no task role: kmswatch needs AWS credentials from the task role")
	}
	if c.Essential == nil || *c.Essential {
		t.Error("kmswatch must be essential: false, so that its failure never stops the application")
	}
	if len(c.Command) == 0 || c.Command[0] != "run" {
		t.Fatalf("command %v: want the run subcommand", c.Command)
	}
	f, err := parseRunFlags(c.Command[1:], &bytes.Buffer{}, "json")
	if err != nil || f.listen == "" || f.once {
		t.Fatalf("command %v: %v; want a daemon with --listen", c.Command, err)
	}
	// An ECS service runs one sidecar per task, and a rolling deployment runs old tasks beside
	// new ones: the example holds a lease, and reads the one reviewed spec from S3.
	if f.lease == "" || !f.specInS3() {
		t.Errorf("command %v: want --lease s3://… and -f s3://… (one writer, one reviewed spec, for every task)", c.Command)
	}
	if c.HealthCheck == nil || len(c.HealthCheck.Command) < 5 || c.HealthCheck.Command[0] != "CMD" ||
		c.HealthCheck.Command[2] != "healthcheck" {
		t.Fatalf("health check %+v: want [CMD <binary> healthcheck --url URL] (no curl in a distroless image)", c.HealthCheck)
	}
	if bin := c.HealthCheck.Command[1]; !dockerfileInstalls(t, bin) {
		t.Errorf("health check runs %s, which the Dockerfile does not install", bin)
	}
	u, err := url.Parse(c.HealthCheck.Command[4])
	must(t, err)
	if _, port, _ := strings.Cut(f.listen, ":"); u.Port() != port || u.Path != "/healthz" {
		t.Errorf("health check URL %s does not hit /healthz on the listen address %s", u, f.listen)
	}
	// /status is served without authentication: only the task's own network namespace (the
	// health check, a metrics agent beside it) may reach it.
	if host, _, _ := strings.Cut(f.listen, ":"); host != "127.0.0.1" || len(c.PortMappings) > 0 {
		t.Errorf("--listen %s, port mappings %v: want loopback only and no port published", f.listen, c.PortMappings)
	}
	for _, s := range c.Secrets {
		if !strings.HasPrefix(s.ValueFrom, "arn:aws:ssm:") && !strings.HasPrefix(s.ValueFrom, "arn:aws:secretsmanager:") {
			t.Errorf("secret %s from %s: want an SSM parameter or a Secrets Manager secret", s.Name, s.ValueFrom)
		}
	}
	if c.User == "" || strings.HasPrefix(c.User, "0") || strings.HasPrefix(c.User, "root") {
		t.Errorf("user %q: want a non-root uid", c.User)
	}
	if !c.ReadonlyRootFilesystem || c.LogConfiguration.LogDriver != "awslogs" {
		t.Errorf("readonlyRootFilesystem %v, log driver %q", c.ReadonlyRootFilesystem, c.LogConfiguration.LogDriver)
	}
	if c.StopTimeout < 10 {
		t.Errorf("stopTimeout %d: kmswatch needs up to 10s to stop mid-pass", c.StopTimeout)
	}
}

// dockerfileInstalls reports whether the Dockerfile's final stage copies the binary to path.
func dockerfileInstalls(t *testing.T, path string) bool {
	data, err := os.ReadFile("../../Dockerfile")
	must(t, err)
	return regexp.MustCompile(`(?m)^COPY --from=build \S+ ` + regexp.QuoteMeta(path) + `$`).Match(data)
}

// TestDockerfile checks what can be checked without Docker: a static build, a non-root numeric
// user and a distroless or scratch base for the final stage.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	must(t, err)
	s := string(data)
	stages := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(s, -1)
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %v", stages)
	}
	if final := stages[len(stages)-1][1]; !strings.Contains(final, "distroless/static") && final != "scratch" {
		t.Errorf("final stage %s: want distroless static or scratch", final)
	}
	if !strings.Contains(s, "CGO_ENABLED=0 go build") {
		t.Error("the build is not CGO_ENABLED=0: the binary would need a libc the base image lacks")
	}
	if m := regexp.MustCompile(`(?m)^USER (\d+)`).FindStringSubmatch(s); m == nil || m[1] == "0" {
		t.Errorf("USER: want a numeric non-root uid, got %v", m)
	}
	if !dockerfileInstalls(t, "/kmswatch") {
		t.Error("the Dockerfile does not install /kmswatch")
	}
	if !regexp.MustCompile(`(?m)^CMD \[.*"--listen", "127\.0\.0\.1:\d+"`).MatchString(s) || strings.Contains(s, "\nEXPOSE") {
		t.Error("the image's default command must listen on loopback and publish no port: /status needs no audience outside the task")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
