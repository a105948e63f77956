package managed

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// errorCase is one adapter error and the outcome the reconciler must make of it.
type errorCase struct {
	name string
	err  error
	// Expected outcome.
	wantErr     bool   // returned to the work queue
	reason      string // of Synced=False
	msg         string // contained in the Synced message
	event       string // prefix of the one Warning event ("" for none)
	pollRequeue bool   // RequeueAfter ≈ poll interval
	minRequeue  time.Duration
	authReports int
}

var errorCases = []errorCase{
	{name: "422", err: &hoxton.APIError{StatusCode: 422, Message: "name: required"},
		reason: conditions.ReasonTerminal, msg: "name: required", event: "Warning TerminalError", pollRequeue: true},
	{name: "400", err: &hoxton.APIError{StatusCode: 400, Message: "bad time zone"},
		reason: conditions.ReasonTerminal, msg: "bad time zone", event: "Warning TerminalError", pollRequeue: true},
	{name: "410", err: &hoxton.APIError{StatusCode: 410, Message: hoxton.MsgDeleted},
		reason: conditions.ReasonTerminal, msg: "its id cannot be reused", event: "Warning TerminalError", pollRequeue: true},
	{name: "adapter Terminal", err: Terminal("serial %s belongs to another organisation", "X1"),
		reason: conditions.ReasonTerminal, msg: "serial X1 belongs to another organisation", event: "Warning TerminalError", pollRequeue: true},
	{name: "wrapped adapter Terminal", err: errorsJoin(Terminal("nope")),
		reason: conditions.ReasonTerminal, msg: "nope", event: "Warning TerminalError", pollRequeue: true},
	{name: "401", err: &hoxton.APIError{StatusCode: 401, Message: "invalid token"},
		reason: conditions.ReasonReconcileError, msg: "invalid token", event: "Warning CredentialsRejected", pollRequeue: true, authReports: 1},
	{name: "429", err: &hoxton.APIError{StatusCode: 429, RetryAfter: 7 * time.Second},
		reason: conditions.ReasonReconcileError, msg: "429", minRequeue: 7 * time.Second},
	{name: "429 without Retry-After", err: &hoxton.APIError{StatusCode: 429},
		reason: conditions.ReasonReconcileError, msg: "429", minRequeue: minThrottleWait},
	{name: "500", err: &hoxton.APIError{StatusCode: 500, Message: "boom"},
		wantErr: true, reason: conditions.ReasonReconcileError, msg: "boom", event: "Warning ReconcileError"},
	{name: "network", err: &hoxton.APIError{Method: "GET", Path: "/sites/x", Err: syscall.ECONNREFUSED},
		wantErr: true, reason: conditions.ReasonReconcileError, msg: "connection refused", event: "Warning ReconcileError"},
}

func errorsJoin(err error) error { return errors.Join(errors.New("context"), err) }

// checkOutcome asserts the outcome of one failed reconcile.
func checkOutcome(t *testing.T, e *env, tc errorCase, res ctrl.Result, err error, name string) {
	t.Helper()
	if tc.wantErr {
		if !errors.Is(err, tc.err) {
			t.Errorf("Reconcile error = %v, want the adapter's error %v", err, tc.err)
		}
		if res.RequeueAfter != 0 {
			t.Errorf("RequeueAfter = %v with an error returned, want 0 (work-queue backoff)", res.RequeueAfter)
		}
	} else if err != nil {
		t.Errorf("Reconcile error = %v, want nil", err)
	}
	if tc.pollRequeue {
		wantPollRequeue(t, res, testPoll)
	}
	if tc.minRequeue > 0 && (res.RequeueAfter < tc.minRequeue || res.RequeueAfter > tc.minRequeue+2*time.Second) {
		t.Errorf("RequeueAfter = %v, want at least %v and not much more", res.RequeueAfter, tc.minRequeue)
	}
	wantCond(t, e.get(name), conditions.TypeSynced, metav1.ConditionFalse, tc.reason, tc.msg)
	if n := len(e.conns.authReports); n != tc.authReports {
		t.Errorf("ReportAuthFailure called %d times, want %d", n, tc.authReports)
	}
	for _, r := range e.conns.authReports {
		if r.namespace != testNS || r.ref.Name != v1alpha1.DefaultConnectionName {
			t.Errorf("ReportAuthFailure(%+v), want the default Connection of %s", r, testNS)
		}
	}
}

func TestAdapterErrors(t *testing.T) {
	const id = "id-1"
	for _, tc := range errorCases {
		for _, step := range []string{"create", "observe", "update"} {
			t.Run(tc.name+"/"+step, func(t *testing.T) {
				site := newSite("hq", inSync(id))
				if step == "create" {
					site = newSite("hq")
				}
				e := newEnv(t, site)
				switch step {
				case "create":
					e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "", tc.err }
				case "observe":
					e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, tc.err }
				case "update":
					e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true, Diff: diffOf("name")}, nil }
					e.ad.UpdateFn = func(*v1alpha1.Site, obsT) error { return tc.err }
				}
				res, err := e.reconcile("hq")
				checkOutcome(t, e, tc, res, err, "hq")
				s := e.get("hq")
				wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, tc.reason, step+": ")
				if step == "create" {
					wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonUnavailable, "")
				} else {
					// A failed call says nothing about the object's existence.
					wantCond(t, s, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
				}
				if tc.name == "410" && step != "create" {
					wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, tc.reason, "HoxtonAi object "+id+" was deleted")
				}
				var wantEv []string
				if tc.event != "" {
					wantEv = []string{tc.event + " " + step}
				}
				wantEvents(t, e.events(), wantEv...)
			})
		}
	}
}

func TestRepeatedFailureWarnsOnce(t *testing.T) {
	for _, tc := range errorCases {
		if tc.event == "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq", inSync("id-1")))
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, tc.err }
			var got []string
			for range 3 {
				_, _ = e.reconcile("hq")
				got = append(got, e.events()...)
			}
			wantEvents(t, got, tc.event)
			if n := len(e.ad.callsOf("observe")); n != 3 {
				t.Errorf("Observe called %d times over 3 reconciles, want 3", n)
			}
		})
	}
}

func TestRecoveryAfterFailure(t *testing.T) {
	e := newEnv(t, newSite("hq", inSync("id-1")))
	failing := true
	e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) {
		if failing {
			return obsT{}, &hoxton.APIError{StatusCode: 500}
		}
		return obsT{Exists: true}, nil
	}
	if _, err := e.reconcile("hq"); err == nil {
		t.Fatal("first Reconcile: want the 500")
	}
	failing = false
	res, err := e.reconcile("hq")
	if err != nil {
		t.Fatalf("second Reconcile: %v", err)
	}
	wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionTrue, conditions.ReasonReconcileSuccess, "")
	wantPollRequeue(t, res, testPoll)
}

// TestLongNonASCIIFailureWarnsOnce: a long failure message is truncated in the middle
// of a multi-byte rune (conditions.truncate); the stored message then differs from the
// one computed on the next reconcile, so every retry patches the status and warns.
func TestLongNonASCIIFailureWarnsOnce(t *testing.T) {
	for i, body := range []string{strings.Repeat("x", 2000), strings.Repeat("é", 1000), "x" + strings.Repeat("é", 1000)} {
		e := newEnv(t, newSite("hq", inSync("id-1")))
		e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) {
			return obsT{}, &hoxton.APIError{StatusCode: 422, Message: body}
		}
		var got []string
		for range 3 {
			_, _ = e.reconcile("hq")
			got = append(got, e.events()...)
		}
		if len(got) != 1 || e.statusPatches.Load() != 1 {
			t.Errorf("message %d (%d bytes): %d Warning events and %d status patches over 3 identical failures, want 1 and 1",
				i, len(body), len(got), e.statusPatches.Load())
		}
	}
}

// TestPollPutOffByTheBudget: a poll the Connection's own rate limit put off (its
// poll lane full) has learnt nothing: the object stays Synced as reported, with no
// status write, and comes back after the wait behind users' work. A pause the service
// asked for, and the same wait met by a user's change, are reported, as before.
func TestPollPutOffByTheBudget(t *testing.T) {
	const id = "id-1"
	putOff := &hoxton.APIError{Method: "GET", Path: "/sites/" + id, Message: hoxton.MsgBudget, RetryAfter: 3 * time.Second,
		Err: &hoxton.WaitError{Wait: 3 * time.Second}}

	e := newEnv(t, newSite("hq", inSync(id)))
	e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, putOff }
	before := e.get("hq").ResourceVersion
	res, err := e.reconcile("hq")
	if err != nil || res.RequeueAfter < 3*time.Second || res.RequeueAfter > 5*time.Second {
		t.Errorf("a poll put off = %+v, %v; want a retry after the wait", res, err)
	}
	if res.Priority == nil || *res.Priority != pollPriority {
		t.Errorf("a poll put off comes back at priority %v, want %d", res.Priority, pollPriority)
	}
	if s := e.get("hq"); s.ResourceVersion != before {
		t.Errorf("a poll put off wrote the status: %+v", s.Status.Conditions)
	}

	// A pause the service asked for (a 429 with Retry-After) is reported, poll or not.
	paused := &hoxton.APIError{Method: "GET", Path: "/sites/" + id, Message: hoxton.MsgBudget, RetryAfter: time.Minute,
		Err: &hoxton.WaitError{Wait: time.Minute, Paused: true}}
	e = newEnv(t, newSite("hq", inSync(id)))
	e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, paused }
	if _, err := e.reconcile("hq"); err != nil {
		t.Fatal(err)
	}
	wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReconcileError, hoxton.MsgBudget)

	changed := newSite("hq", inSync(id), func(s *v1alpha1.Site) { s.Generation++ })
	e = newEnv(t, changed)
	e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, putOff }
	if res, err := e.reconcile("hq"); err != nil || res.Priority != nil {
		t.Errorf("a change put off = %+v, %v; want a retry at the users' priority", res, err)
	}
	wantCond(t, e.get("hq"), conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReconcileError, hoxton.MsgBudget)
}
