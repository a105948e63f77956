package managed

import (
	"errors"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

func TestReconcileMissingObjectIsNoOp(t *testing.T) {
	e := newEnv(t)
	res, err := e.reconcile("absent")
	if err != nil || res.RequeueAfter != 0 {
		t.Fatalf("Reconcile of a missing object = %+v, %v; want zero result, nil", res, err)
	}
	if ops := e.ad.ops(); len(ops) != 0 {
		t.Errorf("adapter calls %v, want none", ops)
	}
}

func TestFirstReconcileCreates(t *testing.T) {
	e := newEnv(t, newSite("hq"))
	wantID := DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", testNS, "hq")
	e.ad.CreateFn = func(o *v1alpha1.Site) (string, error) {
		// The finalizer and the id must be stored before the first write to HoxtonAi.
		stored := e.get("hq")
		if !controllerutil.ContainsFinalizer(stored, Finalizer) {
			t.Error("Create called before the finalizer was stored")
		}
		if stored.Status.ExternalID != wantID {
			t.Errorf("stored status.externalID at Create = %q, want %q", stored.Status.ExternalID, wantID)
		}
		return o.Status.ExternalID, nil
	}

	res, err := e.reconcile("hq")
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got, want := e.ad.ops(), []string{"resolve", "create", "observe"}; !slices.Equal(got, want) {
		t.Errorf("adapter calls = %v, want %v (no Observe before Create of a fresh object)", got, want)
	}
	for _, c := range e.ad.calls {
		if c.op != "resolve" && c.id != wantID {
			t.Errorf("%s saw externalID %q, want %q", c.op, c.id, wantID)
		}
	}
	if len(e.conns.clientFor) != 1 || e.conns.clientFor[0] != (authReport{testNS, v1alpha1.ConnectionReference{Kind: v1alpha1.ConnectionKindNamespaced, Name: "default"}}) {
		t.Errorf("ClientFor calls = %+v, want one for the default Connection in %s", e.conns.clientFor, testNS)
	}
	s := e.get("hq")
	if !controllerutil.ContainsFinalizer(s, Finalizer) {
		t.Error("finalizer not added")
	}
	if s.Status.ExternalID != wantID {
		t.Errorf("status.externalID = %q, want %q", s.Status.ExternalID, wantID)
	}
	if s.Status.ObservedGeneration != testGen {
		t.Errorf("status.observedGeneration = %d, want %d", s.Status.ObservedGeneration, testGen)
	}
	wantCond(t, s, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
	wantCond(t, s, conditions.TypeSynced, metav1.ConditionTrue, conditions.ReasonReconcileSuccess, "")
	wantEvents(t, e.events(), "Normal Created created HoxtonAi Site "+wantID)
	wantPollRequeue(t, res, testPoll)
}

func TestFirstReconcileReadBack(t *testing.T) {
	tests := []struct {
		name    string
		observe obsT
		wantErr bool
		synced  metav1.ConditionStatus
		reason  string
		msg     string
	}{
		{"write not taken", obsT{Exists: true, Diff: diffOf("name")}, false, metav1.ConditionFalse, conditions.ReasonReconcileError, "did not take the change: name"},
		{"missing after write", obsT{}, true, metav1.ConditionFalse, conditions.ReasonReconcileError, "missing right after it was written"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq"))
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return tc.observe, nil }
			_, err := e.reconcile("hq")
			if (err != nil) != tc.wantErr {
				t.Fatalf("Reconcile error = %v, want error %v", err, tc.wantErr)
			}
			wantCond(t, e.get("hq"), conditions.TypeSynced, tc.synced, tc.reason, tc.msg)
		})
	}
}

func TestSteadyStateWritesNothing(t *testing.T) {
	e := newEnv(t, newSite("hq", inSync("id-1")))
	res, err := e.reconcile("hq")
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got, want := e.ad.ops(), []string{"resolve", "observe"}; !slices.Equal(got, want) {
		t.Errorf("adapter calls = %v, want %v", got, want)
	}
	if n := e.statusPatches.Load(); n != 0 {
		t.Errorf("%d status patches in steady state, want 0", n)
	}
	if n := e.patches.Load(); n != 0 {
		t.Errorf("%d object patches in steady state, want 0", n)
	}
	wantEvents(t, e.events())
	wantPollRequeue(t, res, testPoll)
}

func TestDriftIsUpdated(t *testing.T) {
	e := newEnv(t, newSite("hq", inSync("id-1")))
	wire := "observed record"
	observed := 0
	e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) {
		observed++
		if observed == 1 {
			return obsT{Exists: true, Diff: diffOf("name"), Observed: wire}, nil
		}
		return obsT{Exists: true}, nil
	}
	res, err := e.reconcile("hq")
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got, want := e.ad.ops(), []string{"resolve", "observe", "update", "observe"}; !slices.Equal(got, want) {
		t.Errorf("adapter calls = %v, want %v", got, want)
	}
	if up := e.ad.callsOf("update"); len(up) != 1 || up[0].obs.Observed != wire || up[0].obs.Diff.String() != diffOf("name").String() || up[0].id != "id-1" {
		t.Errorf("Update calls = %+v, want one with the Observation Observe returned", up)
	}
	if n := len(e.ad.callsOf("create")); n != 0 {
		t.Errorf("Create called %d times for an existing object", n)
	}
	wantEvents(t, e.events(), `Normal Updated updated HoxtonAi Site id-1: name: want "spec", have "HoxtonAi"`)
	s := e.get("hq")
	wantCond(t, s, conditions.TypeSynced, metav1.ConditionTrue, conditions.ReasonReconcileSuccess, "")
	wantPollRequeue(t, res, testPoll)
}

func TestObserveOnly(t *testing.T) {
	observeOnly := func(s *v1alpha1.Site) { s.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly }
	tests := []struct {
		name    string
		site    *v1alpha1.Site
		observe obsT
		ready   metav1.ConditionStatus
		synced  metav1.ConditionStatus
		reason  string
		events  []string
	}{
		{"in sync", newSite("hq", inSync("id-1"), observeOnly), obsT{Exists: true},
			metav1.ConditionTrue, metav1.ConditionTrue, conditions.ReasonReconcileSuccess, nil},
		{"drift", newSite("hq", inSync("id-1"), observeOnly), obsT{Exists: true, Diff: diffOf("address")},
			metav1.ConditionTrue, metav1.ConditionFalse, conditions.ReasonDrifted, []string{"Warning Drifted HoxtonAi Site id-1 differs from the spec: address"}},
		{"missing", newSite("hq", inSync("id-1"), observeOnly), obsT{},
			metav1.ConditionFalse, metav1.ConditionFalse, conditions.ReasonDrifted, nil},
		{"fresh and missing", newSite("hq", observeOnly), obsT{},
			metav1.ConditionFalse, metav1.ConditionFalse, conditions.ReasonDrifted, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.site)
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return tc.observe, nil }
			res, err := e.reconcile("hq")
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			if got, want := e.ad.ops(), []string{"resolve", "observe"}; !slices.Equal(got, want) {
				t.Errorf("adapter calls = %v, want %v (ObserveOnly never writes)", got, want)
			}
			s := e.get("hq")
			readyReason := conditions.ReasonAvailable
			if tc.ready == metav1.ConditionFalse {
				readyReason = conditions.ReasonUnavailable
			}
			wantCond(t, s, conditions.TypeReady, tc.ready, readyReason, "")
			wantCond(t, s, conditions.TypeSynced, tc.synced, tc.reason, "")
			wantEvents(t, e.events(), tc.events...)
			wantPollRequeue(t, res, testPoll)
		})
	}
}

func TestAdoptionBySpecExternalID(t *testing.T) {
	const adoptID = "0d7f3c1e-8a4b-4c2d-9e6f-1a2b3c4d5e6f"
	adopt := func(s *v1alpha1.Site) { s.Spec.ExternalID = adoptID }
	t.Run("exists", func(t *testing.T) {
		e := newEnv(t, newSite("hq", adopt))
		e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true}, nil }
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if got, want := e.ad.ops(), []string{"resolve", "observe"}; !slices.Equal(got, want) {
			t.Errorf("adapter calls = %v, want %v", got, want)
		}
		if obs := e.ad.callsOf("observe"); len(obs) != 1 || obs[0].id != adoptID {
			t.Errorf("Observe calls = %+v, want one for %s", obs, adoptID)
		}
		s := e.get("hq")
		if s.Status.ExternalID != adoptID {
			t.Errorf("status.externalID = %q, want spec.externalID %q", s.Status.ExternalID, adoptID)
		}
		wantCond(t, s, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
		wantEvents(t, e.events(), "Normal Adopted adopted existing HoxtonAi Site "+adoptID)
	})
	t.Run("exists, ObserveOnly", func(t *testing.T) {
		observeOnly := func(s *v1alpha1.Site) { s.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly }
		e := newEnv(t, newSite("hq", adopt, observeOnly))
		e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true}, nil }
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if got, want := e.ad.ops(), []string{"resolve", "observe"}; !slices.Equal(got, want) {
			t.Errorf("adapter calls = %v, want %v", got, want)
		}
		wantCond(t, e.get("hq"), conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable, "")
		wantEvents(t, e.events(), "Normal Adopted adopted existing HoxtonAi Site "+adoptID+" to observe it")
		// Adopted once: the next reconcile observes what this one recorded.
		if _, err := e.reconcile("hq"); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		wantEvents(t, e.events())
	})
	t.Run("missing", func(t *testing.T) {
		e := newEnv(t, newSite("hq", adopt))
		e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, nil }
		res, err := e.reconcile("hq")
		if err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if n := len(e.ad.callsOf("create")); n != 0 {
			t.Errorf("Create called %d times when adopting a missing object", n)
		}
		s := e.get("hq")
		if s.Status.ExternalID != adoptID {
			t.Errorf("status.externalID = %q, want %q", s.Status.ExternalID, adoptID)
		}
		wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonTerminal, adoptID)
		wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonUnavailable, "")
		wantEvents(t, e.events(), "Warning TerminalError adopt: spec.externalID "+adoptID)
		wantPollRequeue(t, res, testPoll)
	})
}

func TestPaused(t *testing.T) {
	paused := withAnnotation(AnnotationPaused, "true")
	tests := []struct {
		name string
		site *v1alpha1.Site
	}{
		{"fresh", newSite("hq", paused)},
		{"in sync", newSite("hq", inSync("id-1"), paused)},
		{"deleting", newSite("hq", inSync("id-1"), paused, deleting)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.site)
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{}, errors.New("must not be called") }
			res, err := e.reconcile("hq")
			if err != nil || res.RequeueAfter != 0 {
				t.Errorf("Reconcile = %+v, %v; want zero result, nil", res, err)
			}
			if ops := e.ad.ops(); len(ops) != 0 {
				t.Errorf("adapter calls %v on a paused object, want none", ops)
			}
			if n := len(e.conns.clientFor); n != 0 {
				t.Errorf("ClientFor called %d times on a paused object", n)
			}
			s := e.get("hq")
			if s == nil {
				t.Fatal("paused object was deleted")
			}
			if controllerutil.ContainsFinalizer(s, Finalizer) != controllerutil.ContainsFinalizer(tc.site, Finalizer) {
				t.Errorf("finalizers changed from %v to %v", tc.site.Finalizers, s.Finalizers)
			}
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonPaused, AnnotationPaused)
			wantEvents(t, e.events())
		})
	}
}

func TestNotPausedUnlessTrue(t *testing.T) {
	e := newEnv(t, newSite("hq", inSync("id-1"), withAnnotation(AnnotationPaused, "false")))
	if _, err := e.reconcile("hq"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if n := len(e.ad.callsOf("observe")); n != 1 {
		t.Errorf("Observe called %d times with paused=false, want 1", n)
	}
}

func TestReferencesNotReady(t *testing.T) {
	tests := []struct {
		name     string
		conn     error
		refs     []Entry
		wantOps  []string
		wantText string
	}{
		{"references", nil, []Entry{{Name: "hq"}}, []string{"resolve"}, `references: Zone "hq" not found`},
		{"connection", &reference.NotReadyError{Missing: []string{`Connection "default" is not Ready`}}, nil, nil, `connection: Connection "default" is not Ready`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("cam"))
			e.conns.err = tc.conn
			e.refs = tc.refs
			res, err := e.reconcile("cam")
			if err != nil {
				t.Fatalf("Reconcile error = %v, want nil (the watch wakes it)", err)
			}
			if got := e.ad.ops(); !slices.Equal(got, tc.wantOps) {
				t.Errorf("adapter calls = %v, want %v", got, tc.wantOps)
			}
			s := e.get("cam")
			wantCond(t, s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReferencesNotReady, tc.wantText)
			wantCond(t, s, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonUnavailable, "")
			if s.Status.ExternalID != "" {
				t.Errorf("status.externalID = %q before references resolved, want empty", s.Status.ExternalID)
			}
			wantEvents(t, e.events())
			wantPollRequeue(t, res, testPoll)
		})
	}
}
