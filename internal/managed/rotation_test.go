package managed

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// oauthRotation is Rotation as internal/kinds declares it for OAuth clients.
var oauthRotation = &Rotation[*v1alpha1.OAuthClient]{
	Record: func(o *v1alpha1.OAuthClient) *v1alpha1.OAuthClientCredentials { return &o.Status.Credentials },
	Every:  func(o *v1alpha1.OAuthClient) *metav1.Duration { return o.Spec.RotateEvery },
}

// heldCredentials is a credentials Secret holding the given client id and secret
// (none when both are empty).
func heldCredentials(id, secret string) *Credentials {
	c := &Credentials{name: "client-credentials", marker: "OAuthClient/client"}
	if id != "" || secret != "" {
		c.secret = &corev1.Secret{Data: map[string][]byte{v1alpha1.SecretKeyClientID: []byte(id), v1alpha1.SecretKeyClientSecret: []byte(secret)}}
	}
	return c
}

// TestRotationDue: the reconciler's rotation policy, for each reason a secret is due
// and each reason it is not. No adapter takes part.
func TestRotationDue(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	issued := func(ago time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-ago)} }
	for _, tc := range []struct {
		name    string
		adopted bool
		request string // the rotate-secret annotation
		record  v1alpha1.OAuthClientCredentials
		every   time.Duration
		held    *Credentials
		wantWhy string // "" for not due
		stamped bool   // the schedule starts now
	}{
		{name: "never delivered", held: heldCredentials("", ""), wantWhy: "not in it (lost, or never captured)"},
		{name: "the Secret names another client", held: heldCredentials("other", "s"), record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(time.Hour)},
			wantWhy: "not in it"},
		{name: "adopted, nothing asked", adopted: true, held: heldCredentials("", "")},
		{name: "adopted, asked for", adopted: true, request: "r1", held: heldCredentials("", ""), wantWhy: "rotated for hoxtonai.dev/rotate-secret r1"},
		{name: "adopted, delivered once, then lost", adopted: true, held: heldCredentials("", ""), record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(time.Hour)},
			wantWhy: "not in it"},
		{name: "asked again", request: "r2", held: heldCredentials("id-1", "s"),
			record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(time.Minute), RotationRequest: "r1"}, wantWhy: "rotated for hoxtonai.dev/rotate-secret r2"},
		{name: "asked for already", request: "r1", held: heldCredentials("id-1", "s"),
			record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(time.Minute), RotationRequest: "r1"}},
		{name: "the status of a delivery was lost", held: heldCredentials("id-1", "s"), stamped: true},
		{name: "the schedule is due", every: time.Hour, held: heldCredentials("id-1", "s"),
			record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(2 * time.Hour)}, wantWhy: "rotated every 1h0m0s"},
		{name: "the schedule is not due", every: time.Hour, held: heldCredentials("id-1", "s"),
			record: v1alpha1.OAuthClientCredentials{IssuedAt: issued(30 * time.Minute)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &v1alpha1.OAuthClient{ObjectMeta: metav1.ObjectMeta{Name: "client", Annotations: map[string]string{}}}
			if tc.adopted {
				o.Spec.ExternalID = "id-1"
			}
			if tc.request != "" {
				o.Annotations[v1alpha1.AnnotationRotateSecret] = tc.request
			}
			if tc.every != 0 {
				o.Spec.RotateEvery = &metav1.Duration{Duration: tc.every}
			}
			o.Status.Credentials = tc.record
			d := oauthRotation.due(o, "id-1", tc.held, now)
			switch {
			case tc.wantWhy == "" && len(d) != 0:
				t.Errorf("due = %q, want nothing due", d.String())
			case tc.wantWhy != "" && (len(d) != 1 || d[0].Field != SecretField || !strings.Contains(d.String(), tc.wantWhy)):
				t.Errorf("due = %q, want one %s difference saying %q", d.String(), SecretField, tc.wantWhy)
			}
			if st := o.Status.Credentials; tc.stamped && (st.IssuedAt == nil || !st.IssuedAt.Time.Equal(now) || st.SecretName != "client-credentials") {
				t.Errorf("after a lost status the record is %+v, want the schedule started now in Secret client-credentials", st)
			}
			if got := o.Status.Credentials.RotationRequest; got != tc.record.RotationRequest {
				t.Errorf("the check changed the recorded request to %q: only a delivery records one", got)
			}
		})
	}
}

// TestRotationIsTheReconcilers: the reconciler adds a due rotation to what the
// adapter observed, only for an existing object in Manage mode: ObserveOnly never
// rotates, and a missing object has nothing to rotate.
func TestRotationIsTheReconcilers(t *testing.T) {
	r := &Reconciler[*v1alpha1.OAuthClient, string]{kind: Kind[*v1alpha1.OAuthClient, string]{Name: "OAuthClient", Rotation: oauthRotation}}
	refs := Refs{credentials: heldCredentials("", "")}
	for _, tc := range []struct {
		name    string
		policy  v1alpha1.ManagementPolicy
		exists  bool
		wantDue bool
	}{
		{"Manage", v1alpha1.ManagementPolicyManage, true, true},
		{"ObserveOnly", v1alpha1.ManagementPolicyObserveOnly, true, false},
		{"absent", v1alpha1.ManagementPolicyManage, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &v1alpha1.OAuthClient{}
			o.Spec.ManagementPolicy = tc.policy
			obs, err := r.withPolicy(o, refs, Observation[string]{Exists: tc.exists, FoundID: "id-1", Diff: diffOf("name")})
			if err != nil {
				t.Fatal(err)
			}
			if got := obs.Diff.Touches(SecretField); got != tc.wantDue {
				t.Errorf("diff %q: secret due = %v, want %v", obs.Diff.String(), got, tc.wantDue)
			}
			if !obs.Diff.Touches("name") {
				t.Errorf("diff %q lost the adapter's own difference", obs.Diff.String())
			}
		})
	}
	r.kind.Rotation = nil
	if obs, _ := r.withPolicy(&v1alpha1.OAuthClient{}, refs, Observation[string]{Exists: true}); len(obs.Diff) != 0 {
		t.Errorf("a kind without Rotation got %q", obs.Diff.String())
	}
}

// TestDeliverRecordsAfterTheWrite: Deliver writes the keys a Connection reads, then
// records the delivery (never the secret); a failed write or an empty secret records
// nothing, so that the next reconcile finds the secret still due.
func TestDeliverRecordsAfterTheWrite(t *testing.T) {
	ctx := t.Context()
	o := &v1alpha1.OAuthClient{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "client",
		Annotations: map[string]string{v1alpha1.AnnotationRotateSecret: "r1"}}}
	failCreate := false
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if failCreate {
				return apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, obj.GetName(), errors.New("denied"))
			}
			return c.Create(ctx, obj, opts...)
		}}).Build()
	creds, err := readCredentials(ctx, c, c, o, "OAuthClient", "client-credentials")
	if err != nil {
		t.Fatal(err)
	}
	creds.record = &o.Status.Credentials

	failCreate = true
	if err := creds.Deliver(ctx, "id-1", "s3cret"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Deliver with a refused write = %v, want an error without the secret", err)
	}
	if o.Status.Credentials.IssuedAt != nil {
		t.Fatalf("a failed write recorded a delivery: %+v", o.Status.Credentials)
	}
	failCreate = false
	var terminal *TerminalError
	if err := creds.Deliver(ctx, "id-1", ""); !errors.As(err, &terminal) || o.Status.Credentials.IssuedAt != nil {
		t.Fatalf("Deliver of no secret = %v, record %+v; want a Terminal error and nothing recorded", err, o.Status.Credentials)
	}

	if err := creds.Deliver(ctx, "id-1", "s3cret"); err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "client-credentials"}, &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data[v1alpha1.SecretKeyClientID]) != "id-1" || string(s.Data[v1alpha1.SecretKeyClientSecret]) != "s3cret" {
		t.Fatalf("the Secret holds keys %v, want the client id and secret", keysOf(s.Data))
	}
	if st := o.Status.Credentials; st.IssuedAt == nil || st.SecretName != "client-credentials" || st.RotationRequest != "r1" {
		t.Fatalf("the record is %+v, want issued now into client-credentials for request r1", st)
	}
	if d := oauthRotation.due(o, "id-1", creds, time.Now()); len(d) != 0 {
		t.Fatalf("right after a delivery a rotation is due: %q", d.String())
	}
}

// TestRotationComesFirst: a due secret is issued and delivered by the reconciler
// before the adapter writes anything else, and an object whose only difference is the
// secret is not handed to the adapter's Update at all; ObserveOnly issues nothing.
func TestRotationComesFirst(t *testing.T) {
	for _, tc := range []struct {
		name       string
		policy     v1alpha1.ManagementPolicy
		diff       Diff
		wantIssued bool
		wantOps    []string
	}{
		{"only the secret is due", v1alpha1.ManagementPolicyManage, nil, true, []string{"resolve", "observe", "observe"}},
		{"the secret and a field", v1alpha1.ManagementPolicyManage, diffOf("name"), true, []string{"resolve", "observe", "update", "observe"}},
		{"observed", v1alpha1.ManagementPolicyObserveOnly, nil, false, []string{"resolve", "observe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, newSite("hq", inSync("id-1"), func(s *v1alpha1.Site) { s.Spec.ManagementPolicy = tc.policy }))
			var record v1alpha1.OAuthClientCredentials
			var issued []string
			e.r.secrets = e.c
			e.r.kind.CredentialsSecret = func(*v1alpha1.Site) string { return "hq-credentials" }
			e.r.kind.Rotation = &Rotation[*v1alpha1.Site]{
				Record: func(*v1alpha1.Site) *v1alpha1.OAuthClientCredentials { return &record },
				Every:  func(*v1alpha1.Site) *metav1.Duration { return nil },
				Issue: func(_ context.Context, _ *hoxton.Client, id string) (string, error) {
					issued = append(issued, id)
					return "s-new", nil
				},
			}
			e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true, FoundID: "id-1", Diff: tc.diff}, nil }
			e.ad.UpdateFn = func(_ *v1alpha1.Site, obs obsT) error {
				if len(issued) == 0 || obs.Diff.Touches(SecretField) {
					t.Errorf("Update saw %q with %d secrets issued; want the secret issued first and left out", obs.Diff.String(), len(issued))
				}
				e.ad.ObserveFn = func(*v1alpha1.Site) (obsT, error) { return obsT{Exists: true, FoundID: "id-1"}, nil }
				return nil
			}
			if _, err := e.reconcile("hq"); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			if got := len(issued) == 1 && issued[0] == "id-1"; got != tc.wantIssued {
				t.Errorf("issued %v, want issued for id-1: %v", issued, tc.wantIssued)
			}
			if got := e.ad.ops(); !slices.Equal(got, tc.wantOps) {
				t.Errorf("adapter calls = %v, want %v", got, tc.wantOps)
			}
			var s corev1.Secret
			err := e.c.Get(t.Context(), client.ObjectKey{Namespace: testNS, Name: "hq-credentials"}, &s)
			if delivered := err == nil && string(s.Data[v1alpha1.SecretKeyClientSecret]) == "s-new"; delivered != tc.wantIssued || (record.IssuedAt != nil) != tc.wantIssued {
				t.Errorf("delivered %v, recorded %+v; want both %v", delivered, record, tc.wantIssued)
			}
		})
	}
}
