package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
	"github.com/hoxton-operator/hoxton-operator/test/bench/fleet"
)

// run is one fleet in its namespace, against its own fake through its own proxy.
type run struct {
	env   *testenv.Env
	kube  client.Client
	api   *hoxtontest.Server
	proxy *faultProxy
	ns    string
	// shard labels the Connection (managed.LabelShard); "" is the default shard.
	shard string
}

// budgetRPS is the Connection's request budget in both runs.
const budgetRPS = 50

// setUp creates the namespace and its Connection, and returns the fleet's objects.
func (r run) setUp(t *testing.T, ctx context.Context, stores int) []client.Object {
	must(t, r.env.CreateNamespace(ctx, r.ns))
	must(t, r.kube.Create(ctx, testenv.ConnectionSecret(r.ns, "default-credentials")))
	conn := r.env.Connection(r.ns, v1alpha1.DefaultConnectionName, "default-credentials")
	if r.shard != "" {
		conn.Labels = map[string]string{managed.LabelShard: r.shard}
	}
	conn.Spec.APIURL = r.proxy.srv.URL + "/api/v0"
	conn.Spec.TokenURL = r.proxy.srv.URL + "/oauth/token"
	conn.Spec.OrganisationID = r.api.OrganisationID()
	// A Connection that can revoke its tokens, so that one revoked by mistake (a
	// manager taking a Connection for deleted) shows in api.Revocations.
	conn.Spec.RevocationURL = r.api.RevocationURL()
	conn.Spec.RequestBudget = &v1alpha1.RequestBudget{RequestsPerSecond: budgetRPS, Burst: budgetRPS}
	must(t, r.kube.Create(ctx, conn))
	var objs []client.Object
	for _, o := range fleet.Build(r.ns, r.ns, stores) {
		objs = append(objs, o.Obj)
	}
	return objs
}

// waitInSync waits until every object of the namespace is Ready and Synced.
func (r run) waitInSync(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := testenv.Fleet(context.Background(), r.kube, r.ns)
		must(t, err)
		if st.Total > 0 && st.InSync == st.Total {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d objects in sync after %s; for example %v", r.ns, st.InSync, st.Total, timeout, st.NotInSync)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitConnected waits until the namespace's Connection is Ready, before the faults.
func (r run) waitConnected(t *testing.T, ctx context.Context) {
	testenv.Eventually(t, time.Minute, "the Connection of "+r.ns+" Ready", func() (bool, string) {
		conn := &v1alpha1.Connection{}
		if err := r.kube.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: v1alpha1.DefaultConnectionName}, conn); err != nil {
			return false, err.Error()
		}
		return conditions.IsTrue(conn.Status.Conditions, conditions.TypeReady), fmt.Sprintf("%+v", conn.Status.Conditions)
	})
}

// compare walks the fleet's YAML and HoxtonAi's state.
func (r run) compare(t *testing.T, ctx context.Context) ([]expected, []string) {
	x, err := buildIndex(ctx, r.kube, r.ns)
	must(t, err)
	var want []expected
	for _, e := range expectations {
		got, err := e.expect(ctx, r.kube, r.ns, x)
		must(t, err)
		want = append(want, got...)
	}
	return want, compareState(r.api, want, 20, r.owns)
}

// owns tells this run's HoxtonAi objects from the others: users and OAuth clients
// carry the run's namespace in their email or name (fleet.Build's serial).
func (r run) owns(col string, o map[string]any) bool {
	switch col {
	case "users":
		return strings.Contains(fmt.Sprint(o["email"]), r.ns)
	case "oauth-clients":
		return strings.Contains(fmt.Sprint(o["name"]), r.ns)
	}
	return true
}

// checkNoSecrets looks for the client secret and every bearer token the manager sent
// in the log file, the namespace's events and every object's status.
func (r run) checkNoSecrets(t *testing.T, ctx context.Context) {
	secrets := append(r.proxy.seenTokens(), hoxtontest.DefaultClientSecret)
	if len(secrets) < 2 {
		t.Errorf("the proxy saw no bearer token: the check would prove nothing")
	}
	logText, err := os.ReadFile(logPath)
	must(t, err)
	if s := contains(string(logText), secrets); s != "" {
		t.Errorf("the manager log holds a secret or token (%d characters)", len(s))
	}
	var events eventsv1.EventList
	must(t, r.kube.List(ctx, &events, client.InNamespace(r.ns)))
	evText, err := json.Marshal(events.Items)
	must(t, err)
	if s := contains(string(evText), secrets); s != "" {
		t.Errorf("an event holds a secret or token (%d characters)", len(s))
	}
	lists := []client.ObjectList{&v1alpha1.ConnectionList{}}
	for _, k := range kinds.Registry() {
		lists = append(lists, k.NewList())
	}
	for _, l := range lists {
		must(t, r.kube.List(ctx, l, client.InNamespace(r.ns)))
		must(t, meta.EachListItem(l, func(o runtime.Object) error {
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			var doc struct {
				Status json.RawMessage `json:"status"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				return err
			}
			if s := contains(string(doc.Status), secrets); s != "" {
				t.Errorf("a status of %T holds a secret or token", o)
			}
			return nil
		}))
	}
	t.Logf("checked %d secrets and tokens against %d bytes of log and %d events", len(secrets), len(logText), len(events.Items))
}

// deleteAll deletes every managed object and waits until none is left; it returns
// what HoxtonAi still holds active (a paused camera is what deleting one leaves).
func (r run) deleteAll(t *testing.T, ctx context.Context, want []expected) []string {
	for _, k := range kinds.Registry() {
		must(t, r.kube.DeleteAllOf(ctx, k.New(), client.InNamespace(r.ns)))
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		st, err := testenv.Fleet(ctx, r.kube, r.ns)
		must(t, err)
		if st.Total == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d objects still exist 5 minutes after deleting them, %d with the finalizer", st.Total, st.Finalized)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var left []string
	for _, e := range want {
		o, ok := r.api.Object(e.collection, e.id)
		if ok && active(o) && !e.outlives {
			left = append(left, e.collection+" "+e.id+" is still "+o["state"].(string))
		}
	}
	for _, l := range linkCollections {
		for _, o := range r.api.Objects(l.Resource) {
			if active(o) {
				left = append(left, l.Resource+" link is still active")
			}
		}
	}
	return left
}
