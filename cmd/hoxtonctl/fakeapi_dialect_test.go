package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestFakeAPITokenDialectFlag serves CAM2's token endpoint when asked: its
// answer has the space in "expires in", and its refresh URL is printed.
func TestFakeAPITokenDialectFlag(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fake-api", "--listen", "127.0.0.1:0", "--quiet", "--token-dialect", "CAM2"}, pw, io.Discard)
		pw.Close()
	}()
	line, _ := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	fields := strings.Fields(line)
	if len(fields) < 10 || fields[4] != "token" {
		t.Fatalf("unexpected line %q", line)
	}
	tokenURL := fields[6]
	if !strings.HasSuffix(tokenURL, "/token/") || !strings.Contains(line, "refresh URL ") || strings.Contains(line, "revocation URL") {
		t.Errorf("line %q does not name CAM2's endpoints", line)
	}
	resp, err := http.PostForm(tokenURL, url.Values{"client_id": {"test-client"}, "client_secret": {"test-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"expires in"`) || !strings.Contains(string(body), `"token_type":"JWT"`) {
		t.Errorf("CAM2 token answer %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still serving 15s after cancel")
	}
	if code := run(t.Context(), []string{"fake-api", "--token-dialect", "Nope"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("an unknown dialect exits %d, want 2", code)
	}
}
