package testenv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// replica is one manager as a Deployment's pod runs it: a manager that stops on its
// own (a lease lost while the kube-apiserver was unreachable) is built and started
// again after restartPause, until the replica is stopped.
type replica struct {
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	elected <-chan struct{}

	// restarts counts, for the whole Env, the managers started again.
	restarts *atomic.Int32
}

// restartPause is how long an exited manager stays down before it is started again.
const restartPause = time.Second

// startReplica builds a manager with opts on the managers' config and runs it.
func (e *Env) startReplica(opts operator.Options) (*replica, error) {
	opts.MetricsAddr, opts.ProbeAddr, opts.SkipNameValidation = "0", "0", true
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{cancel: cancel, done: make(chan error, 1), restarts: &e.restarts}
	mgr, stop, err := r.build(ctx, e.managerConfig(), opts)
	if err != nil {
		cancel()
		return nil, err
	}
	go func() {
		for {
			err := mgr.Start(ctx)
			stop()
			if ctx.Err() != nil {
				r.done <- err
				return
			}
			r.restarts.Add(1)
			ctrl.Log.WithName("testenv").Info("the manager stopped on its own; starting it again", "reason", fmt.Sprint(err))
			// Building fails while the kube-apiserver is unreachable: try again, as a
			// crash-looping pod would.
			for mgr = nil; mgr == nil; {
				select {
				case <-ctx.Done():
					r.done <- nil
					return
				case <-time.After(restartPause):
				}
				mgr, stop, _ = r.build(ctx, e.managerConfig(), opts)
			}
		}
	}()
	return r, nil
}

// build builds one manager under a context of its own, so that what it registered
// for its lifetime (metrics sources) ends with it.
func (r *replica) build(parent context.Context, cfg *rest.Config, opts operator.Options) (ctrl.Manager, context.CancelFunc, error) {
	ctx, cancel := context.WithCancel(parent)
	mgr, err := operator.New(ctx, cfg, opts)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	r.mu.Lock()
	r.elected = mgr.Elected()
	r.mu.Unlock()
	return mgr, cancel, nil
}

// electedChan is closed once the manager now running leads (at once without
// leader election).
func (r *replica) electedChan() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.elected
}

// stop stops the replica; with leader election its lease is released.
func (r *replica) stop() error {
	r.cancel()
	return <-r.done
}

// StartManager starts the manager with every controller. Metrics and probes are off
// and several managers may run in one process over time.
func (e *Env) StartManager(opts operator.Options) error {
	if e.manager != nil {
		return errors.New("a manager is already running")
	}
	r, err := e.startReplica(opts)
	if err != nil {
		return err
	}
	e.manager = r
	return nil
}

// StopManager stops the running manager, if any, as a crash would: nothing is
// flushed beyond what the manager already wrote.
func (e *Env) StopManager() error {
	if e.manager == nil {
		return nil
	}
	err := e.manager.stop()
	e.manager = nil
	return err
}

// ManagerRestarts is how often a manager of the Env stopped on its own and was
// started again.
func (e *Env) ManagerRestarts() int { return int(e.restarts.Load()) }

// StartStandby starts a second manager beside the running one, as a rolling update
// starts the new pod before it stops the old one. With leader election (opts) it
// waits for the lease; HandOver makes it the running manager.
func (e *Env) StartStandby(opts operator.Options) error {
	if e.standby != nil {
		return errors.New("a standby manager is already running")
	}
	r, err := e.startReplica(opts)
	if err != nil {
		return err
	}
	e.standby = r
	return nil
}

// HandOver stops the running manager, which releases its lease, and waits up to
// timeout for the standby to lead; the standby is then the running manager. It
// returns how long the fleet had no leader.
func (e *Env) HandOver(timeout time.Duration) (time.Duration, error) {
	if e.standby == nil {
		return 0, errors.New("no standby manager to hand over to")
	}
	start := time.Now()
	err := e.StopManager()
	e.manager, e.standby = e.standby, nil
	select {
	case <-e.manager.electedChan():
		return time.Since(start), err
	case <-time.After(timeout):
		return time.Since(start), errors.Join(err, fmt.Errorf("the standby manager did not take the lease within %s", timeout))
	}
}
