package managed

import (
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/reference"
)

// References read from a fake client's cache: cycles, readiness, Secrets.

func cacheOf(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	return fake.NewClientBuilder().WithScheme(newScheme(t)).WithObjects(objs...).Build()
}

// ready makes a group look created and Ready.
func ready(g *v1alpha1.NotificationGroup) *v1alpha1.NotificationGroup {
	conditions.Set(&g.Status.Conditions, g.Generation, conditions.TypeReady, true, conditions.ReasonAvailable, "")
	return g
}

func findGroupCycle(t *testing.T, c client.Reader, o *v1alpha1.NotificationGroup) ([]string, error) {
	t.Helper()
	k := groupKind()
	return findCycle(t.Context(), c, o, k.Name, k.New, k.References)
}

func TestFindCycle(t *testing.T) {
	a := newGroup("a", "id-a", "b")
	b := newGroup("b", "id-b", "c", "a")
	c := newGroup("c", "id-c")
	cycle, err := findGroupCycle(t, cacheOf(t, a, b, c), a)
	if err != nil || !slices.Equal(cycle, []string{"a", "b", "a"}) {
		t.Fatalf("cycle of a -> b -> a = %v, %v", cycle, err)
	}
	msg := cycleError("NotificationGroup", cycle).Error()
	var term *TerminalError
	if !errors.As(cycleError("NotificationGroup", cycle), &term) || !strings.Contains(msg, "a -> b -> a") {
		t.Errorf("cycleError = %q, want Terminal naming the cycle", msg)
	}

	// A diamond (a -> b, a -> c, b -> c) is no cycle.
	a, b = newGroup("a", "id-a", "b", "c"), newGroup("b", "id-b", "c")
	if cycle, err := findGroupCycle(t, cacheOf(t, a, b, c), a); cycle != nil || err != nil {
		t.Errorf("diamond: %v, %v; want no cycle", cycle, err)
	}
	// A kind with no reference to itself is not walked.
	k := groupKind()
	k.References[0].Target.Kind = "Alert"
	if cycle, err := findCycle(t.Context(), cacheOf(t, a), a, k.Name, k.New, k.References); cycle != nil || err != nil {
		t.Errorf("no self reference: %v, %v", cycle, err)
	}
}

// TestFindCycleWaitsForUnseenGroupsBeforeCreating: a group named but not in the cache
// yet may close a cycle (a -> b -> a applied at once): a group not created yet waits
// for it; one already created goes on.
func TestFindCycleWaitsForUnseenGroupsBeforeCreating(t *testing.T) {
	fresh := newGroup("a", "", "b")
	_, err := findGroupCycle(t, cacheOf(t, fresh), fresh)
	var nr *reference.NotReadyError
	if !errors.As(err, &nr) || len(nr.Missing) != 1 || !strings.Contains(nr.Missing[0], `NotificationGroup "b" not found`) {
		t.Errorf("a new group naming an unseen group = %v, want NotReady naming b", err)
	}
	created := newGroup("a", "id-a", "b")
	if cycle, err := findGroupCycle(t, cacheOf(t, created), created); cycle != nil || err != nil {
		t.Errorf("a created group naming an unseen group = %v, %v; want to go on", cycle, err)
	}
}

func TestResolveReferences(t *testing.T) {
	k := groupKind()
	// The same declaration once as a field the object needs, once as links only.
	needed := Reference[*v1alpha1.NotificationGroup]{Field: NewRefField("parentRef"), Target: k.References[0].Target,
		Entries: func(*v1alpha1.NotificationGroup) []Entry { return One(&v1alpha1.LocalReference{Name: "parent"}, "") }}
	o := newGroup("g", "", "ok", "waiting")
	o.Spec.ChildGroupIDs = []string{"literal-id"}
	objs := []client.Object{ready(newGroup("ok", "id-ok")), newGroup("waiting", "")}

	refs, err := resolveReferences(t.Context(), cacheOf(t, objs...), o, k.References)
	if err != nil {
		t.Fatalf("links only: %v", err)
	}
	if got := refs.IDs(childGroups); !slices.Equal(got, []string{"id-ok", "", "literal-id"}) {
		t.Errorf("IDs = %q, want the ready one, a gap for the waiting one, the literal id", got)
	}
	if p := refs.Pending(); len(p) != 1 || !strings.Contains(p[0], `childGroups: NotificationGroup "waiting" is not Ready`) {
		t.Errorf("pending = %q", p)
	}

	_, err = resolveReferences(t.Context(), cacheOf(t, objs...), o, append([]Reference[*v1alpha1.NotificationGroup]{needed}, k.References...))
	var nr *reference.NotReadyError
	if !errors.As(err, &nr) {
		t.Fatalf("a needed reference missing = %v, want NotReady", err)
	}
	if msg := nr.Error(); !strings.Contains(msg, `NotificationGroup "parent" not found`) || !strings.Contains(msg, `"waiting" is not Ready`) {
		t.Errorf("NotReady = %q, want the needed reference and the waiting link named in one message", msg)
	}
}

func TestRefsOfFieldsNotDeclared(t *testing.T) {
	siteRef, cameraRef := NewRefField("siteRef"), NewRefField("cameraRef")
	refs := NewRefs(map[RefField][]string{siteRef: {"site-id"}})
	if refs.ID(siteRef) != "site-id" || refs.ID(cameraRef) != "" || refs.IDs(cameraRef) != nil {
		t.Errorf("ID(siteRef) = %q, ID(cameraRef) = %q, IDs(cameraRef) = %v; want site-id and nothing for a field not resolved",
			refs.ID(siteRef), refs.ID(cameraRef), refs.IDs(cameraRef))
	}
	if refs.Secret(webhookURL) != "" {
		t.Error("a Secret never read has a value")
	}
	if got := One(nil, ""); got != nil {
		t.Errorf("One of an unset field = %v", got)
	}
	if got := One(nil, "x"); len(got) != 1 || got[0] != (Entry{ID: "x"}) {
		t.Errorf("One by id = %v", got)
	}
	if got := One(&v1alpha1.LocalReference{Name: "n"}, "x"); len(got) != 1 || got[0] != (Entry{Name: "n"}) {
		t.Errorf("One by name = %v, want the name to win", got)
	}
}

func TestReadSecrets(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "hook"}, Data: map[string][]byte{"url": []byte("https://hooks.example/t")}}
	c := cacheOf(t, secret)
	got, err := readSecrets(t.Context(), c, testNS, []v1alpha1.SecretKeySelector{webhookURL})
	if err != nil || got[webhookURL] != "https://hooks.example/t" {
		t.Errorf("readSecrets = %v, %v", got, err)
	}
	_, err = readSecrets(t.Context(), c, testNS, []v1alpha1.SecretKeySelector{{Name: "hook", Key: "nope"}, {Name: "absent", Key: "url"}})
	var nr *reference.NotReadyError
	if !errors.As(err, &nr) || len(nr.Missing) != 2 || !strings.Contains(nr.Error(), `Secret "hook" has no key "nope"`) || !strings.Contains(nr.Error(), `Secret "absent" not found`) {
		t.Errorf("missing key and Secret = %v, want NotReady naming both", err)
	}
	if strings.Contains(nr.Error(), "hooks.example") {
		t.Errorf("the error shows a Secret's value: %v", nr)
	}
}
