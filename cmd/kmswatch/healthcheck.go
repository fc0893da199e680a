package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthcheck GETs a URL and exits 0 on a 2xx answer, 1 otherwise. It exists for container
// health checks: a distroless or scratch image has no curl or wget, so the image's one binary
// checks itself ("CMD", "/kmswatch", "healthcheck").
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kmswatch healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "URL to GET")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch healthcheck: %v\n", err)
		return exitInvalid
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch healthcheck: %v\n", err)
		return exitFailed
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		fmt.Fprintf(stderr, "kmswatch healthcheck: %s: %s\n", *url, resp.Status)
		return exitFailed
	}
	fmt.Fprintf(stdout, "ok: %s\n", resp.Status)
	return exitOK
}
