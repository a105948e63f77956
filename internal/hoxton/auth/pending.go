package auth

import (
	"context"
	"sync"
)

// pendingSaves counts the rotations being saved, so that Flush can wait for them. A
// sync.WaitGroup cannot do it: a rotation may start its save while Flush already
// waits (a token refreshed during shutdown), and a WaitGroup forbids an Add from zero
// concurrent with its Wait.
type pendingSaves struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero; nil while it is zero
}

func (p *pendingSaves) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == 0 {
		p.idle = make(chan struct{})
	}
	p.n++
}

func (p *pendingSaves) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n--
	if p.n == 0 {
		close(p.idle)
		p.idle = nil
	}
}

// wait returns once no save is pending, or ctx ends.
func (p *pendingSaves) wait(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
