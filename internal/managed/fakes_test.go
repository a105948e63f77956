package managed

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// Shared fixtures of the reconciler's unit tests: a function-field fake adapter, a
// fake Connections, and an env holding a fake client with interceptors.

const (
	testNS   = "ns"
	testGen  = int64(2)
	testPoll = 10 * time.Minute
	// testOrg is the organisation of the fake Connections' client.
	testOrg = "0b0e5a52-6f0a-4c55-9a51-3b1f2f6d7a10"
)

// obsT is the fake adapter's observation: its record of what it read is a string.
type obsT = Observation[string]

// diffOf is a difference in each of fields.
func diffOf(fields ...string) Diff {
	var d Diff
	for _, f := range fields {
		d = append(d, Difference{Field: f, Want: "spec", Have: "HoxtonAi"})
	}
	return d
}

// call is one adapter call as the fake saw it.
type call struct {
	op  string // resolve, observe, create, update, delete
	id  string // status.externalID at the time of the call
	obs obsT   // what Update was handed
}

// fakeAdapter implements Adapter[*v1alpha1.Site, string] with optional functions; a
// nil function means success (Observe: exists and in sync; Create: the recorded id).
type fakeAdapter struct {
	ObserveFn func(o *v1alpha1.Site) (obsT, error)
	CreateFn  func(o *v1alpha1.Site) (string, error)
	UpdateFn  func(o *v1alpha1.Site, obs obsT) error
	DeleteFn  func(o *v1alpha1.Site) error
	// CreateFound makes Create report that it found the object (a claim answered 409).
	CreateFound bool

	mu    sync.Mutex
	calls []call
}

var _ Adapter[*v1alpha1.Site, string] = (*fakeAdapter)(nil)

func (f *fakeAdapter) record(op string, o *v1alpha1.Site, obs obsT) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{op: op, id: o.Status.ExternalID, obs: obs})
}

func (f *fakeAdapter) Observe(_ context.Context, _ *hoxton.Client, o *v1alpha1.Site, _ Refs) (obsT, error) {
	f.record("observe", o, obsT{})
	if f.ObserveFn != nil {
		return f.ObserveFn(o)
	}
	return obsT{Exists: true}, nil
}

func (f *fakeAdapter) Create(_ context.Context, _ *hoxton.Client, o *v1alpha1.Site, _ Refs) (Created, *string, error) {
	f.record("create", o, obsT{})
	if f.CreateFound {
		return Created{Found: true}, nil, nil
	}
	if f.CreateFn != nil {
		id, err := f.CreateFn(o)
		return Created{ID: id}, nil, err
	}
	return Created{ID: o.Status.ExternalID}, nil, nil
}

func (f *fakeAdapter) Update(_ context.Context, _ *hoxton.Client, o *v1alpha1.Site, _ Refs, obs obsT) (*string, error) {
	f.record("update", o, obs)
	if f.UpdateFn != nil {
		return nil, f.UpdateFn(o, obs)
	}
	return nil, nil
}

func (f *fakeAdapter) Delete(_ context.Context, _ *hoxton.Client, o *v1alpha1.Site) error {
	f.record("delete", o, obsT{})
	if f.DeleteFn != nil {
		return f.DeleteFn(o)
	}
	return nil
}

// ops lists the operations called so far, in order.
func (f *fakeAdapter) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.calls))
	for _, c := range f.calls {
		out = append(out, c.op)
	}
	return out
}

// callsOf returns the calls of one operation.
func (f *fakeAdapter) callsOf(op string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// authReport is one ReportAuthFailure call.
type authReport struct {
	namespace string
	ref       v1alpha1.ConnectionReference
}

// fakeConns implements Connections: ClientFor answers api, or err when set.
type fakeConns struct {
	api *hoxton.Client
	err error

	mu        sync.Mutex
	clientFor []authReport
	// clientForDeletion records the calls made for objects being deleted.
	clientForDeletion []authReport
	authReports       []authReport
	// clientUsers are the Connections using each OAuth client id; clientLookups the
	// Secrets each lookup left out.
	clientUsers   map[string][]ConnectionName
	clientLookups []types.NamespacedName
}

func (f *fakeConns) ClientFor(_ context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clientFor = append(f.clientFor, authReport{namespace, ref})
	if f.err != nil {
		return nil, f.err
	}
	return f.api, nil
}

func (f *fakeConns) ClientForDeletion(_ context.Context, namespace string, ref v1alpha1.ConnectionReference) (*hoxton.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clientForDeletion = append(f.clientForDeletion, authReport{namespace, ref})
	if f.err != nil {
		return nil, f.err
	}
	return f.api, nil
}

func (f *fakeConns) ReportAuthFailure(namespace string, ref v1alpha1.ConnectionReference) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.authReports = append(f.authReports, authReport{namespace, ref})
}

func (f *fakeConns) ConnectionsUsingClient(_ context.Context, id string, except types.NamespacedName) ([]ConnectionName, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clientLookups = append(f.clientLookups, except)
	return f.clientUsers[id], nil
}

// env is one reconciler of Sites over a fake client that counts writes.
type env struct {
	t  *testing.T
	c  client.Client
	r  *Reconciler[*v1alpha1.Site, string]
	ad *fakeAdapter
	// refs are the entries of the test kind's one reference field (none by default).
	refs  []Entry
	conns *fakeConns
	crds  *fakeCRDs
	rec   *events.FakeRecorder

	statusPatches atomic.Int32 // attempted status patches
	patches       atomic.Int32 // attempted object patches (finalizer)
	// failStatusPatch, when set, is asked before each status patch (1-based count)
	// and fails the patch with the error it returns.
	failStatusPatch func(n int32) error
}

func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func newEnv(t *testing.T, objs ...client.Object) *env {
	t.Helper()
	api, err := hoxton.New(hoxton.Config{BaseURL: "http://unused.invalid", OrganisationID: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ad: &fakeAdapter{}, conns: &fakeConns{api: api}, crds: &fakeCRDs{}, rec: events.NewFakeRecorder(100)}
	e.c = fake.NewClientBuilder().
		WithScheme(newScheme(t)).
		WithStatusSubresource(&v1alpha1.Site{}).
		WithObjects(objs...).
		WithIndex(&v1alpha1.Site{}, externalIDIndex, externalIDIndexOf[*v1alpha1.Site]().keys).
		WithInterceptorFuncs(interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				e.patches.Add(1)
				return c.Patch(ctx, obj, patch, opts...)
			},
			SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
				n := e.statusPatches.Add(1)
				if e.failStatusPatch != nil {
					if err := e.failStatusPatch(n); err != nil {
						return err
					}
				}
				return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
			},
		}).
		Build()
	e.r = &Reconciler[*v1alpha1.Site, string]{
		kind: Kind[*v1alpha1.Site, string]{
			Name:    "Site",
			New:     func() *v1alpha1.Site { return &v1alpha1.Site{} },
			NewList: func() client.ObjectList { return &v1alpha1.SiteList{} },
			Adapter: e.ad,
			IDs:     DeterministicID,
			// Resolution is recorded as the adapter's first call of a reconcile.
			References: []Reference[*v1alpha1.Site]{{Field: NewRefField("zoneRef"),
				Target:  Target{Kind: "Zone", New: func() reference.Target { return &v1alpha1.Site{} }, Value: func(client.Object) string { return "zone-id" }},
				Entries: func(o *v1alpha1.Site) []Entry { e.ad.record("resolve", o, obsT{}); return e.refs }}},
		},
		client:   e.c,
		reader:   e.c,
		secrets:  e.c,
		conns:    e.conns,
		crds:     e.crds,
		recorder: e.rec,
		opts:     Options{IDNamespace: DefaultIDNamespace, PollInterval: testPoll},
	}
	return e
}

func (e *env) reconcile(name string) (ctrl.Result, error) {
	return e.r.Reconcile(e.t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: testNS, Name: name}})
}

// get reads the stored Site; nil when it does not exist.
func (e *env) get(name string) *v1alpha1.Site {
	e.t.Helper()
	s := &v1alpha1.Site{}
	if err := e.c.Get(e.t.Context(), types.NamespacedName{Namespace: testNS, Name: name}, s); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return nil
		}
		e.t.Fatal(err)
	}
	return s
}

// events drains the events recorded so far.
func (e *env) events() []string {
	var out []string
	for {
		select {
		case ev := <-e.rec.Events:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// newSite returns a Site of generation testGen, changed by the options.
func newSite(name string, opts ...func(*v1alpha1.Site)) *v1alpha1.Site {
	s := &v1alpha1.Site{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name, Generation: testGen},
		Spec:       v1alpha1.SiteSpec{Name: "HQ"},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// inSync makes a Site look as a previous successful reconcile left it.
func inSync(id string) func(*v1alpha1.Site) {
	return func(s *v1alpha1.Site) {
		s.Finalizers = []string{Finalizer}
		s.Status.ExternalID = id
		s.Status.ObservedGeneration = s.Generation
		conditions.Set(&s.Status.Conditions, s.Generation, conditions.TypeReady, true, conditions.ReasonAvailable, "")
		conditions.Set(&s.Status.Conditions, s.Generation, conditions.TypeSynced, true, conditions.ReasonReconcileSuccess, "")
	}
}

func withAnnotation(k, v string) func(*v1alpha1.Site) {
	return func(s *v1alpha1.Site) {
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Annotations[k] = v
	}
}

func deleting(s *v1alpha1.Site) {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	s.DeletionTimestamp = &now
	if !slices.Contains(s.Finalizers, Finalizer) {
		s.Finalizers = append(s.Finalizers, Finalizer)
	}
}

// wantCond fails unless the condition has the status and reason, the object's
// generation, and a message containing msg.
func wantCond(t *testing.T, s *v1alpha1.Site, typ string, status metav1.ConditionStatus, reason, msg string) {
	t.Helper()
	c := conditions.Get(s.Status.Conditions, typ)
	switch {
	case c == nil:
		t.Errorf("no %s condition in %+v", typ, s.Status.Conditions)
	case c.Status != status || c.Reason != reason:
		t.Errorf("%s = %s/%s (%q), want %s/%s", typ, c.Status, c.Reason, c.Message, status, reason)
	case c.ObservedGeneration != s.Generation:
		t.Errorf("%s observedGeneration = %d, want %d", typ, c.ObservedGeneration, s.Generation)
	case !strings.Contains(c.Message, msg):
		t.Errorf("%s message %q does not contain %q", typ, c.Message, msg)
	}
}

// wantPollRequeue fails unless res requeues after d jittered by at most ±10%.
func wantPollRequeue(t *testing.T, res ctrl.Result, d time.Duration) {
	t.Helper()
	lo, hi := d-d/10, d+d/10
	if res.RequeueAfter < lo || res.RequeueAfter > hi {
		t.Errorf("RequeueAfter = %v, want within [%v, %v]", res.RequeueAfter, lo, hi)
	}
	if res.Priority == nil || *res.Priority != pollPriority {
		t.Errorf("a poll's priority = %v, want %d (below users' changes)", res.Priority, pollPriority)
	}
}

// wantEvents fails unless the events start with the prefixes, one each, in order.
func wantEvents(t *testing.T, got []string, prefixes ...string) {
	t.Helper()
	if len(got) != len(prefixes) {
		t.Errorf("events = %q, want %d starting with %q", got, len(prefixes), prefixes)
		return
	}
	for i, p := range prefixes {
		if !strings.HasPrefix(got[i], p) {
			t.Errorf("event %d = %q, want prefix %q", i, got[i], p)
		}
	}
}
