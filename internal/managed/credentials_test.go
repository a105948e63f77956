package managed

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestCredentialsSecret: the reconciler hands a kind's credentials Secret to the
// adapter, which creates it (marked as the object's), updates it keeping other
// keys, and finds it again; a Secret that is not the object's is refused, not written.
func TestCredentialsSecret(t *testing.T) {
	ctx := t.Context()
	site := newSite("hq")
	foreign := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "someone-elses"}, Data: map[string][]byte{"clientSecret": []byte("theirs")}}
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(site, foreign).Build()
	r := &Reconciler[*v1alpha1.Site, string]{client: c, reader: c, secrets: c, kind: Kind[*v1alpha1.Site, string]{
		Name: "Site", CredentialsSecret: func(*v1alpha1.Site) string { return "hq-credentials" },
	}}

	refs, err := r.resolve(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	creds := refs.Credentials()
	if creds == nil || creds.Name() != "hq-credentials" || creds.Value("clientSecret") != "" {
		t.Fatalf("before any write: credentials %+v, want the absent Secret hq-credentials", creds)
	}
	if err := creds.Write(ctx, map[string]string{"clientID": "id-1", "clientSecret": "s-1"}); err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "hq-credentials"}, &s); err != nil {
		t.Fatal(err)
	}
	if s.Annotations[AnnotationCredentialsOf] != "Site/hq" || !creds.Exists() {
		t.Fatalf("the Secret is not marked as the object's: annotations %v", s.Annotations)
	}
	s.Data["extra"] = []byte("kept")
	if err := c.Update(ctx, &s); err != nil {
		t.Fatal(err)
	}

	refs, err = r.resolve(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	if got := refs.Credentials().Value("clientSecret"); got != "s-1" {
		t.Fatalf("read back clientSecret %q, want s-1", got)
	}
	if err := refs.Credentials().Write(ctx, map[string]string{"clientSecret": "s-2"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "hq-credentials"}, &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data["clientSecret"]) != "s-2" || string(s.Data["clientID"]) != "id-1" || string(s.Data["extra"]) != "kept" {
		t.Fatalf("after the update the Secret holds keys %v, want clientSecret replaced and the others kept", keysOf(s.Data))
	}

	r.kind.CredentialsSecret = func(*v1alpha1.Site) string { return "someone-elses" }
	_, err = r.resolve(ctx, site)
	var terminal *TerminalError
	if !errors.As(err, &terminal) || !strings.Contains(err.Error(), AnnotationCredentialsOf) || strings.Contains(err.Error(), "theirs") {
		t.Fatalf("a foreign Secret gave %v, want a Terminal error naming the annotation and no value", err)
	}
}

// TestCredentialsWriteConflict: a Secret changed by someone else between the read and
// the write (a Connection adding its finalizer) is read again and written, keeping
// the other writer's change: a conflict must never lose credentials HoxtonAi
// returned once.
func TestCredentialsWriteConflict(t *testing.T) {
	ctx := t.Context()
	site := newSite("hq")
	mine := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "hq-credentials",
		Annotations: map[string]string{AnnotationCredentialsOf: "Site/hq"}}}
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(site, mine).Build()
	r := &Reconciler[*v1alpha1.Site, string]{client: c, reader: c, secrets: c, kind: Kind[*v1alpha1.Site, string]{
		Name: "Site", CredentialsSecret: func(*v1alpha1.Site) string { return "hq-credentials" },
	}}
	refs, err := r.resolve(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	if err := c.Get(ctx, client.ObjectKeyFromObject(mine), &s); err != nil {
		t.Fatal(err)
	}
	s.Finalizers = []string{"example.com/in-use"}
	if err := c.Update(ctx, &s); err != nil {
		t.Fatal(err)
	}
	if err := refs.Credentials().Write(ctx, map[string]string{"clientID": "id-1", "clientSecret": "s-1"}); err != nil {
		t.Fatalf("a write after a concurrent change: %v, want it written", err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(mine), &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data["clientSecret"]) != "s-1" || len(s.Finalizers) != 1 {
		t.Fatalf("after the conflict the Secret holds keys %v and finalizers %v, want the secret and the other writer's finalizer", keysOf(s.Data), s.Finalizers)
	}
}

// TestCredentialsWriteErrorQuotesNoData: a refused Secret write is reported by the
// API's reason and code, never its message, which can quote the data.
func TestCredentialsWriteErrorQuotesNoData(t *testing.T) {
	ctx := t.Context()
	site := newSite("hq")
	c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(site).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(_ context.Context, _ client.WithWatch, obj client.Object, _ ...client.CreateOption) error {
			s := obj.(*corev1.Secret)
			return apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, s.Name,
				field.ErrorList{field.Invalid(field.NewPath("data"), string(s.Data["clientSecret"]), "refused")})
		},
	}).Build()
	r := &Reconciler[*v1alpha1.Site, string]{client: c, reader: c, secrets: c, kind: Kind[*v1alpha1.Site, string]{
		Name: "Site", CredentialsSecret: func(*v1alpha1.Site) string { return "hq-credentials" },
	}}
	refs, err := r.resolve(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	err = refs.Credentials().Write(ctx, map[string]string{"clientSecret": "s3cret-value"})
	if err == nil || strings.Contains(err.Error(), "s3cret-value") || !strings.Contains(err.Error(), "Invalid (HTTP 422)") {
		t.Fatalf("the refused write answered %q, want its reason and code and no data", err)
	}
}

// TestCredentialsSecretFollowsItsObjectsShard: a credentials Secret written while
// its object was in shard a is relabelled when the object, moved to shard b, is
// next reconciled there, not at its next write, so that shard b's cache sees it
// deleted; an ObserveOnly object's Secret is not written.
func TestCredentialsSecretFollowsItsObjectsShard(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		policy v1alpha1.ManagementPolicy
		want   string
	}{{"", "b"}, {v1alpha1.ManagementPolicyObserveOnly, "a"}} {
		site := newSite("hq", func(s *v1alpha1.Site) {
			s.Labels = map[string]string{LabelShard: "b"}
			s.Spec.ManagementPolicy = tc.policy
		})
		written := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "hq-credentials",
			Labels:      map[string]string{v1alpha1.LabelConnectionSecret: "true", LabelShard: "a"},
			Annotations: map[string]string{AnnotationCredentialsOf: "Site/hq"}}, Data: map[string][]byte{"clientSecret": []byte("s-1")}}
		c := fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(site, written).Build()
		r := &Reconciler[*v1alpha1.Site, string]{client: c, reader: c, secrets: c, kind: Kind[*v1alpha1.Site, string]{
			Name: "Site", CredentialsSecret: func(*v1alpha1.Site) string { return "hq-credentials" },
		}}
		if _, err := r.resolve(ctx, site); err != nil {
			t.Fatal(err)
		}
		var s corev1.Secret
		if err := c.Get(ctx, client.ObjectKeyFromObject(written), &s); err != nil {
			t.Fatal(err)
		}
		if got := ShardOf(&s); got != tc.want || string(s.Data["clientSecret"]) != "s-1" {
			t.Errorf("policy %q: the Secret is in shard %q holding keys %v, want shard %q and its data kept", tc.policy, got, keysOf(s.Data), tc.want)
		}
	}
}

func keysOf(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
