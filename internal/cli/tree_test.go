package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// treeCluster is a control plane holding the README's examples (namespace stores),
// with statuses set directly through the status subresource: no manager runs.
type treeCluster struct {
	k8s        client.Client
	kubeconfig string
	assets     string
	fake       *hoxtontest.Server
}

// startTreeCluster applies the README's examples, a Secret and Connection "default"
// pointing at the fake API, and makes every object Ready but the alert (Synced False,
// ReferencesNotReady) and the group london-managers (no status yet).
func startTreeCluster(t *testing.T) *treeCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	assets, err := testenv.AssetsDir()
	if err != nil {
		t.Skip(err)
	}
	cp, err := testenv.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = v1alpha1.AddToScheme(scheme)
	k8s, err := client.New(cp.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	tc := &treeCluster{k8s: k8s, kubeconfig: writeKubeconfig(t, cp), assets: assets, fake: fake}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "stores"}}))
	readme, _ := readmeExamples(t)
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(readme), 4096)
	for {
		u := &unstructured.Unstructured{}
		err := dec.Decode(&u.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		must(err)
		if len(u.Object) == 0 || u.GetKind() == "Secret" || u.GetKind() == "Connection" {
			continue
		}
		if err := k8s.Create(ctx, u); err != nil {
			t.Fatalf("applying the README's %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	must(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "stores", Name: "hoxton-credentials"},
		StringData: map[string]string{"clientID": hoxtontest.DefaultClientID, "clientSecret": hoxtontest.DefaultClientSecret}}))
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "stores", Name: "default"}}
	conn.Spec.OrganisationID = fake.OrganisationID()
	conn.Spec.APIURL, conn.Spec.TokenURL, conn.Spec.AllowInsecureHTTP = fake.APIURL(), fake.TokenURL(), true
	conn.Spec.Audience = hoxtontest.DefaultAudience
	conn.Spec.CredentialsSecretRef.Name = "hoxton-credentials"
	must(k8s.Create(ctx, conn))
	tc.setStatus(t, "Connection", "default", "", true, "")
	ids := 0
	for _, kind := range []string{"Site", "Camera", "PeopleCountMonitor", "OccupancyMonitor", "PeelOffMonitor", "NotificationGroup", "Alert", "Annotation", "User", "OAuthClient"} {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(kind + "List"))
		must(k8s.List(ctx, list, client.InNamespace("stores")))
		for _, it := range list.Items {
			switch it.GetName() {
			case "london-managers":
			case "shop-floor-capacity":
				tc.setStatus(t, kind, it.GetName(), "", false, "notificationGroups: NotificationGroup london-managers is not Ready")
			default:
				ids++
				tc.setStatus(t, kind, it.GetName(), "0e000000-0000-4000-8000-"+strings.Repeat("0", 10)+string(rune('a'+ids/10))+string(rune('0'+ids%10)), true, "")
			}
		}
	}
	return tc
}

// setStatus writes Ready and Synced (a Connection: Ready) and the external id of an
// object of namespace stores.
func (tc *treeCluster) setStatus(t *testing.T, kind, name, id string, ready bool, notReadyBecause string) {
	t.Helper()
	ctx := context.Background()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(kind))
	if err := tc.k8s.Get(ctx, client.ObjectKey{Namespace: "stores", Name: name}, u); err != nil {
		t.Fatal(err)
	}
	var conds []metav1.Condition
	set := func(typ string, status metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&conds, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg})
	}
	if ready {
		set("Ready", metav1.ConditionTrue, "Available", "")
		set("Synced", metav1.ConditionTrue, "ReconcileSuccess", "")
	} else {
		set("Ready", metav1.ConditionFalse, "Creating", "")
		set("Synced", metav1.ConditionFalse, "ReferencesNotReady", notReadyBecause)
	}
	if kind == "Connection" {
		conds = conds[:1]
	}
	data, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&struct {
		Conditions []metav1.Condition `json:"conditions"`
		ExternalID string             `json:"externalID,omitempty"`
	}{conds, id})
	if err != nil {
		t.Fatal(err)
	}
	u.Object["status"] = data
	if err := tc.k8s.Status().Update(ctx, u); err != nil {
		t.Fatalf("status of %s %s: %v", kind, name, err)
	}
}

// tree runs `tree` in-process with the cluster's kubeconfig.
func (tc *treeCluster) tree(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, "hoxtonctl", cli.Env{}, append([]string{"tree", "--kubeconfig", tc.kubeconfig, "-n", "stores"}, args...)...)
}

// runWith runs the command line as the binary argv0, with tree registered as
// cmd/hoxtonctl registers it.
func runWith(t *testing.T, argv0 string, env cli.Env, args ...string) result {
	t.Helper()
	var stdout, stderr testenv.SyncBuffer
	env.Out, env.ErrOut = &stdout, &stderr
	env.Getenv = func(string) string { return "" }
	env.IsTerminal = func(io.Writer) bool { return false }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := cli.Run(ctx, argv0, args, &env, cli.NewTreeCommand)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// path returns the kinds/names from root to the node named name, or nil.
func path(n *cli.TreeNode, name string) []string {
	here := n.Kind + "/" + n.Name
	if n.Name == name {
		return []string{here}
	}
	for _, c := range n.Children {
		if p := path(c, name); p != nil {
			return append([]string{here}, p...)
		}
	}
	return nil
}

// find returns the node named name.
func find(n *cli.TreeNode, name string) *cli.TreeNode {
	if n.Name == name {
		return n
	}
	for _, c := range n.Children {
		if f := find(c, name); f != nil {
			return f
		}
	}
	return nil
}

// TestTreeShowsWhatDependsOnWhat runs on a real kube-apiserver holding the README's
// examples: the tree of a Site and of a Connection (as hoxtonctl and as the kubectl
// plugin), their exit codes, -o json, -o wide, --watch redrawing on a status change,
// kubectl get -o wide of the CRDs' columns, and diff planning each manifest with the
// Connection it names, read from the cluster.
func TestTreeShowsWhatDependsOnWhat(t *testing.T) {
	tc := startTreeCluster(t)

	res := tc.tree(t, "site/london-flagship", "-o", "json")
	var tree cli.TreeNode
	if err := json.Unmarshal([]byte(res.stdout), &tree); err != nil || res.code != cli.ExitFindings {
		t.Fatalf("tree -o json: exit %d, want 1 (an alert is not Ready): %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	want := map[string]string{
		"facilities":           "Site/london-flagship Camera/main-entrance OccupancyMonitor/shop-floor Alert/shop-floor-capacity NotificationGroup/london-managers NotificationGroup/facilities",
		"store-footfall":       "Site/london-flagship Camera/main-entrance PeopleCountMonitor/store-footfall",
		"till-queue":           "Site/london-flagship Camera/main-entrance Annotation/till-queue",
		"store-manager-london": "Site/london-flagship User/store-manager-london",
		"side-entrance":        "Site/london-flagship Camera/side-entrance",
	}
	for name, p := range want {
		if got := strings.Join(path(&tree, name), " "); got != p {
			t.Errorf("%s: %q, want %q", name, got, p)
		}
	}
	if find(&tree, "footfall-dashboard") != nil {
		t.Error("the site's tree holds an OAuthClient, which belongs to no site")
	}
	alert := find(&tree, "shop-floor-capacity")
	if alert == nil || alert.Ready != "False" || alert.Reason != "ReferencesNotReady" || !strings.Contains(alert.Message, "london-managers") || alert.Via != "occupancyMonitors" {
		t.Errorf("the alert: %+v", alert)
	}
	if site := find(&tree, "london-flagship"); !strings.HasPrefix(site.ID, "0e000000-") || site.Ready != "True" || site.Synced != "True" {
		t.Errorf("the site: %+v", site)
	}
	if g := find(&tree, "london-managers"); g == nil || g.Ready != "Unknown" || g.Reason != "NoStatus" {
		t.Errorf("a group without status: %+v", g)
	}

	// As the kubectl plugin, from the Connection, in a table.
	plugin := runWith(t, "kubectl-hoxton", cli.Env{}, "tree", "hxconn/default", "--kubeconfig", tc.kubeconfig, "-n", "stores", "-o", "wide")
	if plugin.code != cli.ExitFindings || !strings.Contains(plugin.stdout, "Connection/default") ||
		!strings.Contains(plugin.stdout, "└─ OAuthClient/footfall-dashboard") || !strings.Contains(plugin.stdout, "ReferencesNotReady: notificationGroups: NotificationGroup london-managers is not Ready") {
		t.Errorf("kubectl hoxton tree hxconn/default -o wide: exit %d\n%s%s", plugin.code, plugin.stdout, plugin.stderr)
	}
	t.Logf("kubectl hoxton tree hxconn/default -o wide:\n%s", plugin.stdout)
	if res := tc.tree(t, "camera/nothing"); res.code != cli.ExitError || !strings.Contains(res.stderr, `Camera "nothing" not found in namespace stores`) {
		t.Errorf("a missing root: exit %d %s", res.code, res.stderr)
	}
	if res := tc.tree(t, "pods/x"); res.code != cli.ExitError || !strings.Contains(res.stderr, "not a kind of hoxtonai.dev") {
		t.Errorf("a root of another API: exit %d %s", res.code, res.stderr)
	}

	tc.kubectlGetShowsWhy(t)
	tc.diffUsesTheConnectionOfEachManifest(t)

	// --watch draws the tree, then again when the alert and its group become Ready,
	// and ends with exit 0 once interrupted.
	var out testenv.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- cli.Run(ctx, "hoxtonctl", []string{"tree", "site/london-flagship", "--watch", "--kubeconfig", tc.kubeconfig, "-n", "stores"},
			&cli.Env{Out: &out, ErrOut: &out, IsTerminal: func(io.Writer) bool { return false }, Getenv: func(string) string { return "" }}, cli.NewTreeCommand)
	}()
	waitFor(t, func() bool { return strings.Contains(out.String(), "ReferencesNotReady") }, "the first tree")
	tc.setStatus(t, "NotificationGroup", "london-managers", "0c000000-0000-4000-8000-000000000001", true, "")
	tc.setStatus(t, "Alert", "shop-floor-capacity", "0d000000-0000-4000-8000-000000000001", true, "")
	waitFor(t, func() bool {
		draws := strings.Split(out.String(), "\n\n")
		return len(draws) > 1 && !strings.Contains(draws[len(draws)-1], "False") && !strings.Contains(draws[len(draws)-1], "Unknown")
	}, "a redrawn tree with every object Ready")
	cancel()
	if code := <-done; code != cli.ExitOK {
		t.Errorf("tree --watch ended with exit %d after the tree became Ready\n%s", code, out.String())
	}
	if res := tc.tree(t, "site/london-flagship"); res.code != cli.ExitOK {
		t.Errorf("tree of a Ready site: exit %d\n%s", res.code, res.stdout)
	}
}

// waitFor waits up to a minute for cond.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kubectlGetShowsWhy runs the real kubectl: -o wide shows why an object is not in
// sync, a Connection when its token expires, and the short names work.
func (tc *treeCluster) kubectlGetShowsWhy(t *testing.T) {
	t.Helper()
	kubectl := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(filepath.Join(tc.assets, "kubectl"), append([]string{"--kubeconfig", tc.kubeconfig, "-n", "stores"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	wide := kubectl("get", "hxalert", "-o", "wide")
	for _, s := range []string{"REASON", "CONNECTION", "MESSAGE", "ReferencesNotReady", "notificationGroups: NotificationGroup london-managers is not Ready"} {
		if !strings.Contains(wide, s) {
			t.Errorf("kubectl get hxalert -o wide lacks %q:\n%s", s, wide)
		}
	}
	if plain := kubectl("get", "hxalert"); strings.Contains(plain, "MESSAGE") || !strings.Contains(plain, "SYNCED") {
		t.Errorf("kubectl get hxalert shows the wide columns, or no SYNCED:\n%s", plain)
	}
	if conns := kubectl("get", "hxconn"); !strings.Contains(conns, "TOKEN-EXPIRES") || !strings.Contains(conns, "ORGANISATION") {
		t.Errorf("kubectl get hxconn:\n%s", conns)
	}
	if all := kubectl("get", "hoxton"); !strings.Contains(all, "user.hoxtonai.dev/store-manager-london") {
		t.Errorf("kubectl get hoxton:\n%s", all)
	}
}

// diffUsesTheConnectionOfEachManifest: without credentials on the command line, diff
// reads the Connection each manifest names from the cluster and plans through it; a
// manifest naming a Connection that does not exist is an error naming it.
func (tc *treeCluster) diffUsesTheConnectionOfEachManifest(t *testing.T) {
	t.Helper()
	readme, _ := readmeExamples(t)
	res := run(t, cli.Env{In: bytes.NewReader(readme)}, "diff", "-f", "-", "--kubeconfig", tc.kubeconfig, "-n", "stores", "-o", "json")
	var plan cli.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil || res.code != cli.ExitFindings || plan.Organisation != tc.fake.OrganisationID() || plan.Errors() > 0 {
		t.Errorf("diff through the cluster's Connection: exit %d, organisation %q: %v\n%s", res.code, plan.Organisation, err, res.stderr)
	}
	other := strings.Replace(siteManifest("elsewhere", "Elsewhere"), "spec: {", "spec: {connectionRef: {name: missing}, ", 1)
	res = run(t, cli.Env{In: strings.NewReader(other)}, "diff", "-f", "-", "--kubeconfig", tc.kubeconfig, "-n", "stores")
	if res.code != cli.ExitError || !strings.Contains(res.stderr, "Site stores/elsewhere uses Connection stores/missing") {
		t.Errorf("diff of a manifest whose Connection does not exist: exit %d\n%s", res.code, res.stderr)
	}
}
