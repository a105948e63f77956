package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestFakeAPIProcess runs `hoxtonctl fake-api` as a separate process, drives
// it with plain net/http and stops it with SIGINT.
func TestFakeAPIProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "hoxtonctl")
	buildCtx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(buildCtx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	const secret = "process-test-secret-3141"
	addr := freeAddr(t)
	var stdout, stderr testenv.SyncBuffer
	cmd := exec.Command(bin, "fake-api", "--listen", addr, "--client-id", "ci",
		"--client-secret", secret, "--organisation-id", "6f1c1f4e-3a57-4d55-9a8c-0e7d3f0b9a21",
		"--organisation-name", "CI Org", "--token-lifetime", "1h")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			if err := <-exited; err != nil {
				t.Logf("killed fake-api: %v", err)
			}
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("fake-api exited early: %v\nstderr: %s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("fake-api not healthy after 30s\nstderr: %s", stderr.String())
		}
	}

	token := fetchToken(t, base, secret)
	site := map[string]any{"id": "7d8e4a0c-5b1f-4c3a-9e2d-1a2b3c4d5e6f", "name": "CI site"}
	steps := []struct {
		method, path string
		body         any
		want         int
	}{
		{"PUT", "/sites", site, http.StatusCreated},
		{"PUT", "/sites", site, http.StatusNoContent},
		{"GET", "/sites/" + site["id"].(string), nil, http.StatusOK},
		{"DELETE", "/sites/" + site["id"].(string), nil, http.StatusNoContent},
		{"PUT", "/sites", site, http.StatusGone},
	}
	for _, st := range steps {
		if got := call(t, base+"/api/v0"+st.path, st.method, token, st.body); got != st.want {
			t.Fatalf("%s %s: %d, want %d", st.method, st.path, got, st.want)
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("fake-api did not exit 0 after SIGINT: %v\nstderr: %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("fake-api still running 15s after SIGINT")
	}

	out := stdout.String()
	if !strings.Contains(out, base+"/api/v0") || !strings.Contains(out, base+"/oauth/token") || strings.Count(out, "\n") != 1 {
		t.Errorf("stdout %q is not one line with the API and token URLs", out)
	}
	for name, text := range map[string]string{"stdout": out, "stderr": stderr.String()} {
		if strings.Contains(text, secret) || strings.Contains(text, token) {
			t.Errorf("%s leaks the client secret or the token: %q", name, text)
		}
	}
	if !strings.Contains(stderr.String(), "PUT /api/v0/sites 410") {
		t.Errorf("stderr has no access log line for the 410: %q", stderr.String())
	}
}

func fetchToken(t *testing.T, base, secret string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": "ci",
		"client_secret": secret, "audience": "https://api.hoxton.cloud"})
	resp, err := http.Post(base+"/oauth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

func call(t *testing.T, url, method, token string, body any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestCommandLine covers dispatch and flag errors in-process.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{"no command", nil, 2, "", "Usage:\n  hoxtonctl"},
		{"help", []string{"help"}, 0, "fake-api", ""},
		{"help fake-api", []string{"help", "fake-api"}, 0, "--client-secret", ""},
		{"help unknown", []string{"help", "nope"}, 2, "", "unknown help topic"},
		{"unknown command", []string{"nope"}, 2, "", "unknown command"},
		{"bad flag", []string{"fake-api", "--nope"}, 2, "", "unknown flag: --nope"},
		{"bad organisation id", []string{"fake-api", "--organisation-id", "org-1"}, 2, "", "not a uuid"},
		{"extra argument", []string{"fake-api", "now"}, 2, "", "unknown command \"now\""},
		{"unusable address", []string{"fake-api", "--listen", "256.0.0.1:1"}, 2, "", "fake-api"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdoutHas) || !strings.Contains(stderr.String(), tc.stderrHas) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestFakeAPIInProcess checks the serve/shutdown path without a child
// process: it serves on port 0 until the context is cancelled.
func TestFakeAPIInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr testenv.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fake-api", "--listen", "127.0.0.1:0", "--quiet"}, pw, &stderr)
		pw.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case line := <-lines:
		// "hoxtonctl fake-api: API http://127.0.0.1:NNN/api/v0 token URL …"
		if fields := strings.Fields(line); len(fields) > 3 {
			base = strings.TrimSuffix(fields[3], "/api/v0")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no URL line after 10s; stderr %s", stderr.String())
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after cancel; stderr %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still serving 15s after cancel")
	}
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("still answering after shutdown")
	}
}
