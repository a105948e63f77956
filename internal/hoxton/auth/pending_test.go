package auth

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestPendingSavesStartWhileFlushWaits: a save may start while Flush waits (a token
// rotated during shutdown), also from zero; Flush returns only once none is pending.
// Run with -race: a WaitGroup here was reported as a data race.
func TestPendingSavesStartWhileFlushWaits(t *testing.T) {
	var p pendingSaves
	if err := p.wait(context.Background()); err != nil {
		t.Fatalf("nothing pending: %v", err)
	}
	p.start()
	returned := make(chan error, 1)
	go func() { returned <- p.wait(context.Background()) }()
	p.start()
	p.done()
	select {
	case err := <-returned:
		t.Fatalf("wait returned (%v) while a save was pending", err)
	case <-time.After(50 * time.Millisecond):
	}
	p.done()
	if err := <-returned; err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); p.start(); p.done() }()
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = p.wait(ctx)
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.wait(ctx); err != nil {
		t.Fatalf("every save done, wait still waits: %v", err)
	}
}
