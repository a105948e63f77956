package testenv

import (
	"io"
	"net"
	"net/url"
	"sync"

	"k8s.io/client-go/rest"
)

// KubeLink is a TCP relay between the managers and the kube-apiserver that can be cut,
// to make the Kubernetes API unreachable for the managers while the test's own clients
// still reach it. Down closes every connection and the port, so that the managers
// see what a kube-apiserver that is down or restarting gives them: connection refused.
// TLS passes through untouched (the serving certificate names 127.0.0.1).
type KubeLink struct {
	target, addr string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
}

// LinkManagers puts a KubeLink between the kube-apiserver and the managers started
// from now on, and returns it.
func (e *Env) LinkManagers() (*KubeLink, error) {
	if e.link != nil {
		return e.link, nil
	}
	u, err := url.Parse(e.ControlPlane.Config.Host)
	if err != nil {
		return nil, err
	}
	l := &KubeLink{target: u.Host, conns: map[net.Conn]struct{}{}}
	if l.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	l.addr = l.ln.Addr().String()
	go l.serve(l.ln)
	e.link = l
	return l, nil
}

// managerConfig is the config managers connect with: through the link, if any.
func (e *Env) managerConfig() *rest.Config {
	cfg := rest.CopyConfig(e.ControlPlane.Config)
	if e.link != nil {
		cfg.Host = "https://" + e.link.addr
	}
	return cfg
}

// Down cuts the link: open connections are closed and new ones refused.
func (l *KubeLink) Down() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		_ = l.ln.Close()
		l.ln = nil
	}
	for c := range l.conns {
		_ = c.Close()
	}
}

// Up restores the link on the same address.
func (l *KubeLink) Up() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.ln = ln
	go l.serve(ln)
	return nil
}

func (l *KubeLink) close() { l.Down() }

func (l *KubeLink) serve(ln net.Listener) {
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		go l.relay(in)
	}
}

// relay copies one connection both ways until either side closes or the link is cut.
func (l *KubeLink) relay(in net.Conn) {
	out, err := net.Dial("tcp", l.target)
	if err != nil {
		_ = in.Close()
		return
	}
	if !l.track(in, out) {
		return
	}
	defer l.untrack(in, out)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
}

// track registers a relayed pair, unless the link went down meanwhile.
func (l *KubeLink) track(in, out net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		_, _ = in.Close(), out.Close()
		return false
	}
	l.conns[in], l.conns[out] = struct{}{}, struct{}{}
	return true
}

func (l *KubeLink) untrack(in, out net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = in.Close(), out.Close()
	delete(l.conns, in)
	delete(l.conns, out)
}
