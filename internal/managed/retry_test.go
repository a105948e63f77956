package managed

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// TestRetriesWaitAtMostAMinute: an object that failed as often as a minute without the
// kube-apiserver makes it is tried again within MaxRetryDelay, and the first retries
// still come quickly.
func TestRetriesWaitAtMostAMinute(t *testing.T) {
	limiter := RetryLimiter()
	item := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "site"}}
	if first := limiter.When(item); first > time.Second {
		t.Fatalf("the first retry waits %s", first)
	}
	var last time.Duration
	for range 40 {
		last = limiter.When(item)
	}
	if last > MaxRetryDelay || last < MaxRetryDelay/2 {
		t.Fatalf("after 41 failures the next retry waits %s, want at most %s and not much less", last, MaxRetryDelay)
	}
	limiter.Forget(item)
	if again := limiter.When(item); again > time.Second {
		t.Fatalf("after a success the first retry waits %s", again)
	}
}
