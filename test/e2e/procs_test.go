//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is where the binaries and manifests are, relative to this package.
const repoRoot = "../.."

// lines collects a process's output, line by line, for assertions and for failure logs.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if s != "" {
			l.all = append(l.all, s)
		}
	}
	return len(p), nil
}

// since returns the lines after the first n.
func (l *lines) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.all[min(n, len(l.all)):]...)
}

func (l *lines) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

func (l *lines) tail(n int) string {
	all := l.since(0)
	return strings.Join(all[max(0, len(all)-n):], "\n")
}

// process is a started binary.
type process struct {
	cmd    *exec.Cmd
	out    *lines
	exited chan struct{}
}

// start runs a binary of bin/ with args and env, its stdout and stderr going to out.
func start(t *testing.T, name string, env []string, out *lines, args ...string) *process {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join(repoRoot, "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run `make test-e2e`, which builds it", bin)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop sends SIGTERM and waits for the process to exit (SIGKILL after 20 s).
func (p *process) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Errorf("%s did not stop on SIGTERM; killing it", p.cmd.Path)
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// eventually polls cond every 250 ms until it returns nil or timeout passes, then fails
// with cond's last error.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, url string, p *process) {
	t.Helper()
	eventually(t, 60*time.Second, "GET "+url, func() error {
		select {
		case <-p.exited:
			t.Fatalf("%s exited:\n%s", p.cmd.Path, p.out.tail(40))
		default:
		}
		resp, err := http.Get(url) //nolint:noctx // a probe with the client's default timeout is enough here
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// kubectl runs the control plane's kubectl with the suite's kubeconfig.
type kubectl struct {
	bin, kubeconfig string
}

func (k kubectl) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func (k kubectl) must(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := k.run(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
