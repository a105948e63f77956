package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// BuildManager builds cmd/manager into dir and returns the binary's path.
func BuildManager(dir string) (string, error) {
	bin := filepath.Join(dir, "manager")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/manager")
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the manager: %w: %s", err, out)
	}
	return bin, nil
}

// WriteKubeconfig writes a kubeconfig for the control plane's admin user to path.
func (e *Env) WriteKubeconfig(path string) error {
	cfg := e.ControlPlane.Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}

// ManagerProcess is the manager binary running as a subprocess.
type ManagerProcess struct {
	cmd         *exec.Cmd
	log         *os.File
	metricsAddr string
	done        chan error
}

// StartManagerProcess starts bin with the kubeconfig and extra flags; its output is
// appended to logPath. Metrics are served on a free port of 127.0.0.1 (read them with
// Metric).
func StartManagerProcess(bin, kubeconfig, logPath string, flags ...string) (*ManagerProcess, error) {
	metrics, err := freeAddr()
	if err != nil {
		return nil, err
	}
	probes, err := freeAddr()
	if err != nil {
		return nil, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	// Alone with its control plane, and restarted at once after a kill (a lease
	// would hold it for 15 s); flags may turn leader election back on.
	args := append([]string{"--leader-elect=false", "--metrics-bind-address=" + metrics, "--health-probe-bind-address=" + probes}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, err
	}
	p := &ManagerProcess{cmd: cmd, log: log, metricsAddr: metrics, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

// Kill stops the manager at once (SIGKILL), as a crash or an evicted pod would.
func (p *ManagerProcess) Kill() error {
	err := p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case exit := <-p.done:
		_ = exit // killed: the exit status says so and is of no interest
	case <-time.After(30 * time.Second):
		err = errors.Join(err, errors.New("the manager did not exit within 30s of SIGKILL"))
	}
	return errors.Join(err, p.log.Close())
}

// Memory is a process's resident memory, from /proc.
type Memory struct {
	// RSS is all of it; Anon the process's own (heap, stacks); File the pages of the
	// binary and other files it maps, which the kernel may drop and read again and which
	// processes running the same binary share through the page cache.
	RSS, Anon, File int64
}

// Max is the larger of m and o, figure by figure: for peaks over samples.
func (m Memory) Max(o Memory) Memory {
	return Memory{RSS: max(m.RSS, o.RSS), Anon: max(m.Anon, o.Anon), File: max(m.File, o.File)}
}

// Memory returns the process's resident memory.
func (p *ManagerProcess) Memory() (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return Memory{}, err
	}
	defer func() { _ = f.Close() }()
	var m Memory
	fields := map[string]*int64{"VmRSS:": &m.RSS, "RssAnon:": &m.Anon, "RssFile:": &m.File}
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for prefix, into := range fields {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err != nil {
					return Memory{}, err
				}
				*into = kb * 1024
				found++
			}
		}
	}
	if found != len(fields) {
		return Memory{}, errors.New("no VmRSS, RssAnon or RssFile in /proc status")
	}
	return m, sc.Err()
}

// Metric returns the value of an unlabelled metric from the manager's endpoint, as r
// scrapes it (the manager must have been started with r.ManagerFlags()).
func (p *ManagerProcess) Metric(ctx context.Context, r *MetricsReader, name string) (float64, error) {
	return r.metric(ctx, p.metricsAddr, name)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}
