package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// MetadataEnv is the variable through which the ECS agent gives a container the base URL of the
// task metadata endpoint, version 4:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
const MetadataEnv = "ECS_CONTAINER_METADATA_URI_V4"

// metadataTimeout bounds the one request to the task metadata endpoint, a local agent that
// answers in milliseconds.
const metadataTimeout = 2 * time.Second

// Identity is who an Elector is, as written in the lease record.
type Identity struct {
	// Host is the host name (in an ECS task with awsvpc networking, the task's own).
	Host string
	// TaskARN is the ECS task, when there is one.
	TaskARN string
	// ID is unique to this process. New fills in a random one when it is empty.
	ID string
}

// Name is how logs and /status name a holder: "host", or "host (task ARN)".
func (i Identity) Name() string {
	if i.TaskARN == "" {
		return i.Host
	}
	return i.Host + " (" + i.TaskARN + ")"
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics if the OS cannot supply)
	return hex.EncodeToString(b)
}

// DetectIdentity returns this process's host name and, when getenv(MetadataEnv) is set, the
// ARN of its ECS task, read from the task metadata endpoint with client (nil: a client with a
// short timeout). The Identity returned is usable even with an error: a task ARN that cannot be
// read only makes the record less telling, so the caller logs the error and goes on.
func DetectIdentity(ctx context.Context, getenv func(string) string, client *http.Client) (Identity, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	id := Identity{Host: host}
	base := getenv(MetadataEnv)
	if base == "" {
		return id, nil
	}
	arn, err := taskARN(ctx, strings.TrimSuffix(base, "/")+"/task", client)
	if err != nil {
		return id, err
	}
	id.TaskARN = arn
	return id, nil
}

func taskARN(ctx context.Context, url string, client *http.Client) (string, error) {
	if client == nil {
		client = &http.Client{Timeout: metadataTimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("read ECS task metadata %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("read ECS task metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("read ECS task metadata %s: %s", url, resp.Status)
	}
	var task struct {
		TaskARN string `json:"TaskARN"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&task); err != nil {
		return "", fmt.Errorf("read ECS task metadata %s: %w", url, err)
	}
	if !strings.HasPrefix(task.TaskARN, "arn:") {
		return "", fmt.Errorf("read ECS task metadata %s: TaskARN %q is not an ARN", url, task.TaskARN)
	}
	return task.TaskARN, nil
}
