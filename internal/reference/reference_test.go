package reference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
)

const ns = "ns"

func site(name string, ready bool, id string, opts ...func(*v1alpha1.Site)) *v1alpha1.Site {
	s := &v1alpha1.Site{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Generation: 1}}
	s.Status.ExternalID = id
	reason := conditions.ReasonAvailable
	if !ready {
		reason = conditions.ReasonUnavailable
	}
	conditions.Set(&s.Status.Conditions, 1, conditions.TypeReady, ready, reason, "")
	for _, o := range opts {
		o(s)
	}
	return s
}

func newClient(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).WithInterceptorFuncs(funcs).Build()
}

func siteID(s *v1alpha1.Site) string { return s.Status.ExternalID }

func TestResolve(t *testing.T) {
	beingDeleted := func(s *v1alpha1.Site) {
		now := metav1.NewTime(time.Now().Truncate(time.Second))
		s.DeletionTimestamp = &now
		s.Finalizers = []string{"hoxtonai.dev/finalizer"}
	}
	noConditions := func(s *v1alpha1.Site) { s.Status.Conditions = nil }
	tests := []struct {
		name    string
		objs    []client.Object
		want    string
		missing string // the NotReadyError message; "" when resolved
	}{
		{"not found", nil, "", `Site "hq" not found`},
		{"other namespace only", []client.Object{func() client.Object { s := site("hq", true, "id-1"); s.Namespace = "other"; return s }()}, "", `Site "hq" not found`},
		{"being deleted", []client.Object{site("hq", true, "id-1", beingDeleted)}, "", `Site "hq" is being deleted`},
		{"not Ready", []client.Object{site("hq", false, "id-1")}, "", `Site "hq" is not Ready`},
		{"no conditions", []client.Object{site("hq", true, "id-1", noConditions)}, "", `Site "hq" is not Ready`},
		{"Ready without an id", []client.Object{site("hq", true, "")}, "", `Site "hq" has no id yet`},
		{"Ready", []client.Object{site("hq", true, "id-1")}, "id-1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, interceptor.Funcs{}, tc.objs...)
			got, err := Resolve(t.Context(), c, ns, "hq", "Site", &v1alpha1.Site{}, siteID)
			if tc.missing == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Resolve = %q, %v; want %q, nil", got, err, tc.want)
				}
				return
			}
			var nr *NotReadyError
			if !errors.As(err, &nr) || !IsNotReady(err) {
				t.Fatalf("Resolve error = %v (%T), want a *NotReadyError", err, err)
			}
			if err.Error() != tc.missing || !slices.Equal(nr.Missing, []string{tc.missing}) {
				t.Errorf("Resolve error = %q (Missing %q), want %q", err.Error(), nr.Missing, tc.missing)
			}
			if got != "" {
				t.Errorf("Resolve value = %q with an error, want empty", got)
			}
		})
	}
}

func TestResolvePassesThroughReadErrors(t *testing.T) {
	boom := errors.New("apiserver unavailable")
	c := newClient(t, interceptor.Funcs{Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
		return boom
	}}, site("hq", true, "id-1"))
	_, err := Resolve(t.Context(), c, ns, "hq", "Site", &v1alpha1.Site{}, siteID)
	if !errors.Is(err, boom) || IsNotReady(err) {
		t.Errorf("Resolve error = %v, want the read error itself, not NotReady", err)
	}
}

func TestIsNotReady(t *testing.T) {
	nr := &NotReadyError{Missing: []string{"a"}}
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("a"), false},
		{nr, true},
		{fmt.Errorf("resolving: %w", nr), true},
		{errors.Join(errors.New("x"), nr), true},
	}
	for _, tc := range tests {
		if got := IsNotReady(tc.err); got != tc.want {
			t.Errorf("IsNotReady(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestCollector(t *testing.T) {
	boom, other := errors.New("boom"), errors.New("other")
	notReady := func(m ...string) error { return &NotReadyError{Missing: m} }
	tests := []struct {
		name        string
		add         []error
		wantErr     error  // an unexpected error passed through
		wantMissing string // the NotReadyError message
	}{
		{"nothing", nil, nil, ""},
		{"only nils", []error{nil, nil}, nil, ""},
		{"every missing reference", []error{notReady(`Site "a" not found`), nil, notReady(`Site "b" is not Ready`, `Camera "c" has no id yet`)},
			nil, `Site "a" not found; Site "b" is not Ready; Camera "c" has no id yet`},
		{"wrapped not ready", []error{fmt.Errorf("site: %w", notReady(`Site "a" not found`))}, nil, `Site "a" not found`},
		{"other error first", []error{notReady(`Site "a" not found`), boom}, boom, ""},
		{"first other error wins", []error{boom, notReady("x"), other}, boom, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Collector
			for _, err := range tc.add {
				c.Add(err)
			}
			err := c.Err()
			switch {
			case tc.wantErr != nil:
				if err != tc.wantErr {
					t.Errorf("Err() = %v, want %v", err, tc.wantErr)
				}
			case tc.wantMissing != "":
				if !IsNotReady(err) || err.Error() != tc.wantMissing {
					t.Errorf("Err() = %v, want NotReadyError %q", err, tc.wantMissing)
				}
			case err != nil:
				t.Errorf("Err() = %v, want nil", err)
			}
		})
	}
}
