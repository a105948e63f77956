package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

const (
	roundTripNamespace = "shop"
	convergeTimeout    = 60 * time.Second
	// roundTripRequestBudget bounds the API requests of adopting the export: each
	// object read once with its link sets (16 + 11), the Connection's check, and the
	// re-reads of objects woken by a target becoming Ready.
	roundTripRequestBudget = 50
)

// TestExportRoundTripAndDiffPredictsWrites runs against a real kube-apiserver with
// the manager running. Round trip: the export of an organisation, applied, makes
// every object Ready and adopted (an Adopted event, never Created), with zero
// writes to HoxtonAi. Then a changed set of manifests: diff's plan is exactly what
// the operator writes (per object: created or written, every link added, removed or
// changed), a second diff finds nothing left, and the old manifests differ from
// the new state in exactly the fields the plan named.
func TestExportRoundTripAndDiffPredictsWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	if _, err := testenv.AssetsDir(); err != nil {
		t.Skip(err)
	}
	env, err := testenv.Start(hoxtontest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()
	if err := env.CreateNamespace(ctx, roundTripNamespace); err != nil {
		t.Fatal(err)
	}
	// The organisation has an admin: applied as exported, its User keeps the admin
	// role, which only a Connection that allows privileged roles may manage.
	if err := env.Client.Create(ctx, testenv.ConnectionSecret(roundTripNamespace, "default-credentials")); err != nil {
		t.Fatal(err)
	}
	conn := env.Connection(roundTripNamespace, "default", "default-credentials")
	conn.Spec.UserRoles = &v1alpha1.UserRolePolicy{AllowPrivileged: true}
	if err := env.Client.Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	org := buildOrganisation(t, env.API)
	dir := t.TempDir()
	exportTo(t, env.API, dir)
	// The same export with the credentials of the namespace's Connection.
	viaConnection := t.TempDir()
	if res := run(t, cli.Env{}, "export", "--connection", "default", "--kubeconfig", writeKubeconfig(t, env.ControlPlane), "-n", roundTripNamespace,
		"-d", viaConnection); res.code != cli.ExitOK {
		t.Fatalf("export --connection: exit %d\n%s", res.code, res.stderr)
	}
	if a, b := readTree(t, dir), readTree(t, viaConnection); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the export through the Connection differs from the export with flags")
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: roundTripNamespace, Name: "managers-webhook"},
		StringData: map[string]string{"url": "https://hooks.example.com/T0KEN"}}
	if err := env.Client.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := env.StartManager(operator.Options{PollInterval: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}

	env.API.ResetRequests()
	exported := readObjects(t, dir)
	if len(exported) != org.objects {
		t.Fatalf("%d objects exported, want %d", len(exported), org.objects)
	}
	applyObjects(t, env, exported)
	waitAllReady(t, env, exported)
	for _, o := range exported {
		reasons := eventReasons(t, env, o)
		if !slices.Contains(reasons, managed.ReasonAdopted) || slices.Contains(reasons, managed.ReasonCreated) {
			t.Errorf("%s %s: events %v, want Adopted and no Created", o.GetKind(), o.GetName(), reasons)
		}
	}
	requests, writes := env.API.CountRequests("", ""), env.API.CountWrites()
	t.Logf("round trip: %d objects adopted, %d API requests (%s), %d writes", len(exported), requests, requestsByResource(env.API.Requests()), writes)
	if requests > roundTripRequestBudget {
		t.Errorf("adopting the export took %d API requests, budget %d", requests, roundTripRequestBudget)
	}
	if writes != 0 {
		t.Errorf("applying the export wrote %d times to HoxtonAi:\n%s", writes, describeWrites(env.API.Requests()))
	}
	// Exported OAuth clients are ObserveOnly: their secrets are neither rotated (no
	// write above) nor delivered anywhere.
	for _, name := range []string{"dashboard-credentials", "test-client-credentials"} {
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: roundTripNamespace, Name: name}, &corev1.Secret{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("Secret %s after adopting the exported OAuth clients: %v, want none", name, err)
		}
	}

	// A changed set of manifests.
	changed := t.TempDir()
	for name, data := range readTree(t, dir) {
		data = bytes.Replace(data, []byte("name: Head Office\n"), []byte("name: Head Office (main)\n"), 1)
		data = bytes.Replace(data, []byte("  cameraRefs:\n  - name: front-door\n"), []byte("  emails:\n  - duty@example.com\n"), 1)
		data = bytes.Replace(data, []byte("  - cameraRef:\n      name: hx-101\n"), []byte("  - cameraRef:\n      name: hx-101\n    direction1Maps: direction2\n    direction2Maps: direction1\n"), 1)
		if err := os.WriteFile(filepath.Join(changed, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	added := `apiVersion: hoxtonai.dev/v1alpha1
kind: Camera
metadata:
  name: back-door
spec:
  serialNumber: HX-200
  name: Back door
  siteRef:
    name: head-office-0a000000
---
apiVersion: hoxtonai.dev/v1alpha1
kind: PeopleCountMonitor
metadata:
  name: back-door-count
spec:
  name: Back door count
  siteRef:
    name: head-office-0a000000
  cameraPositions:
  - cameraRef:
      name: back-door
  - cameraRef:
      name: front-door
`
	if err := os.WriteFile(filepath.Join(changed, "added.yaml"), []byte(added), 0o600); err != nil {
		t.Fatal(err)
	}
	listResource(t, changed, "added.yaml", true)
	res, plan := runDiffJSON(t, env.API, changed)
	if res.code != cli.ExitFindings {
		t.Fatalf("diff of changed manifests: exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}

	named := false
	for _, e := range plan.Objects {
		for _, c := range e.Changes {
			named = named || (e.Name == "busy-entrance" && c.Field == "cameras" && c.Link == "remove" && c.TargetName == "Camera front-door")
		}
	}
	if !named {
		t.Errorf("the plan does not name the camera whose link it removes: %+v", plan.Objects)
	}

	env.API.ResetRequests()
	changedObjects := readObjects(t, changed)
	applyObjects(t, env, changedObjects)
	waitAllReady(t, env, changedObjects)
	reqs := env.API.Requests()
	want, have := predictedWrites(t, env, plan), observedWrites(t, env.API, reqs)
	t.Logf("diff predicted %d writes; the operator made %d accepted writes in %d requests:\n  %s", len(want), len(have), len(reqs), strings.Join(want, "\n  "))
	if len(want) < 8 {
		t.Errorf("the changed manifests should make at least 8 writes (create, claim, update, link add, remove, change); plan %+v", plan.Objects)
	}
	if !slices.Equal(want, have) {
		t.Errorf("diff predicted:\n  %s\nthe operator wrote:\n  %s", strings.Join(want, "\n  "), strings.Join(have, "\n  "))
	}

	if res, after := runDiffJSON(t, env.API, changed); res.code != cli.ExitOK {
		t.Errorf("diff after the operator applied the manifests: exit %d\n%+v", res.code, after.Objects)
	}
	// The old manifests against the new state differ in exactly the planned fields.
	_, back := runDiffJSON(t, env.API, dir)
	fields := func(p cli.Plan, action managed.Action) map[string][]string {
		out := map[string][]string{}
		for _, e := range p.Objects {
			if e.Action != action {
				continue
			}
			for _, c := range e.Changes {
				if c.Link == "" && c.Target == "" {
					out[e.Kind+"/"+e.Name] = append(out[e.Kind+"/"+e.Name], c.Field)
				}
			}
		}
		return out
	}
	forward, backward := fields(plan, managed.ActionUpdate), fields(back, managed.ActionUpdate)
	if fmt.Sprint(forward) != fmt.Sprint(backward) {
		t.Errorf("fields planned %v; fields the operator changed %v", forward, backward)
	}
	if len(forward) == 0 {
		t.Error("the plan named no field to update")
	}
	takeOverKeepingSecret(t, env, org)
}

// takeOverKeepingSecret follows the README: an exported (ObserveOnly) OAuth client
// whose credentials Secret is given its current secret is switched to Manage
// without a rotation, or any write.
func takeOverKeepingSecret(t *testing.T, env *testenv.Env, org organisation) {
	t.Helper()
	ctx := context.Background()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: roundTripNamespace, Name: "dashboard-credentials",
		Annotations: map[string]string{managed.AnnotationCredentialsOf: "OAuthClient/dashboard"},
		Labels:      map[string]string{"hoxtonai.dev/connection-secret": "true"}},
		StringData: map[string]string{"clientID": org.client.ClientID, "clientSecret": org.client.ClientSecret}}
	if err := env.Client.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	env.API.ResetRequests()
	live := &unstructured.Unstructured{}
	live.SetAPIVersion("hoxtonai.dev/v1alpha1")
	live.SetKind("OAuthClient")
	for attempt := 0; ; attempt++ {
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: roundTripNamespace, Name: "dashboard"}, live); err != nil {
			t.Fatal(err)
		}
		unstructured.RemoveNestedField(live.Object, "spec", "managementPolicy")
		if err := unstructured.SetNestedField(live.Object, true, "spec", "adoptExisting"); err != nil {
			t.Fatal(err)
		}
		err := env.Client.Update(ctx, live)
		if err == nil {
			break
		}
		if !apierrors.IsConflict(err) || attempt == 10 {
			t.Fatal(err)
		}
	}
	waitAllReady(t, env, []*unstructured.Unstructured{live})
	if writes := env.API.CountWrites(); writes != 0 {
		t.Errorf("taking over an OAuth client with its secret in the Secret wrote %d times:\n%s", writes, describeWrites(env.API.Requests()))
	}
	got := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(secret), got); err != nil {
		t.Fatal(err)
	}
	if string(got.Data["clientSecret"]) != org.client.ClientSecret {
		t.Error("taking over the OAuth client replaced the secret it was given")
	}
}

// runDiffJSON runs diff -o json on dir for the round trip's namespace.
func runDiffJSON(t *testing.T, fake *hoxtontest.Server, dir string) (result, cli.Plan) {
	t.Helper()
	res := run(t, cli.Env{Getenv: fakeEnv(fake)}, "diff", "-f", dir, "-n", roundTripNamespace, "-o", "json")
	var p cli.Plan
	if res.code == cli.ExitError {
		t.Fatalf("diff: exit 2\n%s\n%s", res.stdout, res.stderr)
	}
	if err := json.Unmarshal([]byte(res.stdout), &p); err != nil {
		t.Fatalf("diff output: %v\n%s", err, res.stdout)
	}
	return res, p
}

// readObjects decodes every manifest of dir but the kustomization.
func readObjects(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for name, data := range readTree(t, dir) {
		if name == "kustomization.yaml" {
			continue
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			u.SetNamespace(roundTripNamespace)
			out = append(out, u)
		}
	}
	return out
}

// applyObjects creates the objects, or replaces the spec of those that exist.
func applyObjects(t *testing.T, env *testenv.Env, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	for _, o := range objs {
		for attempt := 0; ; attempt++ {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(o.GroupVersionKind())
			err := env.Client.Get(ctx, client.ObjectKeyFromObject(o), live)
			switch {
			case apierrors.IsNotFound(err):
				err = env.Client.Create(ctx, o.DeepCopy())
			case err == nil:
				live.Object["spec"] = o.Object["spec"]
				err = env.Client.Update(ctx, live)
			}
			if err == nil {
				break
			}
			if !apierrors.IsConflict(err) || attempt == 10 {
				t.Fatalf("applying %s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
	}
}

// waitAllReady waits until every object is Ready and Synced at its generation.
func waitAllReady(t *testing.T, env *testenv.Env, objs []*unstructured.Unstructured) {
	t.Helper()
	deadline := time.Now().Add(convergeTimeout)
	for _, o := range objs {
		for {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(o.GroupVersionKind())
			err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(o), live)
			ok, seen := err == nil && readyAtGeneration(live), fmt.Sprint(err, live.Object["status"])
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s not Ready and Synced within %s: %s", o.GetKind(), o.GetName(), convergeTimeout, seen)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func readyAtGeneration(u *unstructured.Unstructured) bool {
	gen := u.GetGeneration()
	if observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration"); observed != gen {
		return false
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	state := map[string]bool{}
	for _, c := range conds {
		m, _ := c.(map[string]any)
		g, _ := m["observedGeneration"].(int64)
		state[fmt.Sprint(m["type"])] = m["status"] == "True" && g == gen
	}
	return state["Ready"] && state["Synced"]
}

// eventReasons lists the reasons of the events about o.
func eventReasons(t *testing.T, env *testenv.Env, o *unstructured.Unstructured) []string {
	t.Helper()
	list := &eventsv1.EventList{}
	if err := env.Client.List(context.Background(), list, client.InNamespace(o.GetNamespace())); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Kind == o.GetKind() && e.Regarding.Name == o.GetName() {
			out = append(out, e.Reason)
		}
	}
	return out
}
