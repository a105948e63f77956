//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// suite is the running system: control plane, fake API, manager.
type suite struct {
	// root is the top-level test: processes started by subtests live as long as it.
	root *testing.T
	kubectl
	fake        *fakeAPI
	managerOut  *lines
	manager     *process
	metricsAddr string
	probeAddr   string
	env         []string
	samples     []sampleFile
	samplesDir  string
}

func TestEndToEnd(t *testing.T) {
	s := setUp(t)

	t.Run("samples become Ready", s.samplesBecomeReady)
	t.Run("kstatus says Current for every object", s.everyObjectCurrent)
	t.Run("kstatus says Failed for a Terminal error", s.terminalIsFailed)
	t.Run("drift in HoxtonAi is put back", s.driftIsCorrected)
	t.Run("a restarted manager writes nothing", s.restartWritesNothing)
	t.Run("metrics have plausible values", s.metricsArePlausible)
	t.Run("the binaries carry the release version", s.versionIsStamped)
	t.Run("kubectl explain answers for every kind", s.explainAnswers)
	t.Run("kubectl delete -f samples leaves nothing behind", s.deleteLeavesNothing)
}

// setUp starts the control plane, the fake API process and the manager binary, and
// applies the CRDs with kubectl.
func setUp(t *testing.T) *suite {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test-e2e`")
	}
	env := &envtest.Environment{}
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &suite{
		root:        t,
		kubectl:     kubectl{bin: filepath.Join(assets, "kubectl"), kubeconfig: filepath.Join(dir, "kubeconfig")},
		metricsAddr: freeAddr(t),
		probeAddr:   freeAddr(t),
		samplesDir:  filepath.Join(dir, "samples"),
	}
	if err := os.WriteFile(s.kubeconfig, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	s.env = []string{"KUBECONFIG=" + s.kubeconfig}

	fakeAddr := freeAddr(t)
	s.fake = &fakeAPI{base: "http://" + fakeAddr, log: &lines{}}
	fake := start(t, "hoxtonctl", nil, s.fake.log, "fake-api", "--listen", fakeAddr)
	waitHTTP(t, s.fake.base+"/healthz", fake)
	s.fake.login(t)

	s.must(t, "apply", "--server-side", "-f", filepath.Join(repoRoot, "config", "crd", "bases"))
	s.must(t, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")

	s.managerOut = &lines{}
	s.startManager(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("manager log (last lines):\n%s", s.managerOut.tail(60))
		}
	})

	s.samples = loadSamples(t)
	pointAtFake(s.samples, s.fake)
	if err := os.Mkdir(s.samplesDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeSamples(t, s.samples, s.samplesDir)
	return s
}

// pollInterval is short so that drift is noticed within the suite's time; it also
// makes the restart check cover several polls of every object.
const pollInterval = "4s"

func (s *suite) startManager(t *testing.T) {
	s.manager = start(s.root, "manager", s.env, s.managerOut,
		"--metrics-bind-address="+s.metricsAddr,
		// Plain HTTP: the suite scrapes without a ServiceAccount token (the shipped
		// installs serve HTTPS behind TokenReview).
		"--metrics-secure=false",
		"--health-probe-bind-address="+s.probeAddr,
		"--poll-interval="+pollInterval,
		// The only manager of its control plane, restarted at once after a kill
		// (a lease would hold it back for 15 s).
		"--leader-elect=false")
	waitHTTP(t, "http://"+s.probeAddr+"/readyz", s.manager)
	waitHTTP(t, "http://"+s.probeAddr+"/healthz", s.manager)
}

// managed returns the hoxtonai.dev objects of the samples.
func (s *suite) managed() []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, f := range s.samples {
		for _, u := range f.objs {
			if isGroup(u) {
				out = append(out, u)
			}
		}
	}
	return out
}

func (s *suite) all() []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, f := range s.samples {
		out = append(out, f.objs...)
	}
	return out
}

// get reads an object as kubectl shows it.
func (s *suite) get(t *testing.T, u *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	out := s.must(t, append([]string{"get", "-o", "json"}, ref(u)...)...)
	got := &unstructured.Unstructured{}
	if err := got.UnmarshalJSON([]byte(out)); err != nil {
		t.Fatal(err)
	}
	return got
}

func (s *suite) samplesBecomeReady(t *testing.T) {
	namespaces := map[string]bool{}
	for _, u := range s.all() {
		if ns := u.GetNamespace(); ns != "" && ns != "default" && !namespaces[ns] {
			namespaces[ns] = true
			s.must(t, "create", "namespace", ns)
		}
	}
	s.must(t, "apply", "-f", s.samplesDir)
	for _, u := range s.managed() {
		s.must(t, append([]string{"wait", "--for=condition=Ready", "--timeout=120s"}, ref(u)...)...)
	}
}

func kstatusOf(t *testing.T, u *unstructured.Unstructured) *status.Result {
	t.Helper()
	res, err := status.Compute(u)
	if err != nil {
		t.Fatalf("kstatus of %s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return res
}

func (s *suite) everyObjectCurrent(t *testing.T) {
	for _, u := range s.all() {
		// Synced follows Ready by a moment for an object that was just created.
		eventually(t, 30*time.Second, "kstatus of "+u.GetKind()+" "+u.GetName(), func() error {
			if res := kstatusOf(t, s.get(t, u)); res.Status != status.CurrentStatus {
				return fmt.Errorf("%s: %s", res.Status, res.Message)
			}
			return nil
		})
	}
}

// terminalIsFailed claims a camera into a site that does not exist: HoxtonAi refuses
// it (404 on the site), which only a person can fix, so kstatus must say Failed rather
// than wait for it. The camera is built from a Camera sample.
func (s *suite) terminalIsFailed(t *testing.T) {
	var camera *unstructured.Unstructured
	for _, u := range s.managed() {
		if u.GetKind() == "Camera" {
			camera = u.DeepCopy()
			break
		}
	}
	if camera == nil {
		t.Skip("no Camera in config/samples")
	}
	camera.SetName("claimed-into-a-missing-site")
	camera.SetResourceVersion("")
	spec, _, _ := unstructured.NestedMap(camera.Object, "spec")
	delete(spec, "siteRef")
	spec["siteID"] = uuid.NewString()
	spec["serialNumber"] = "E2E-MISSING-SITE-1"
	_ = unstructured.SetNestedMap(camera.Object, spec, "spec")
	data, err := json.Marshal(camera.Object)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "camera.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s.must(t, "apply", "-f", file)
	eventually(t, 60*time.Second, "kstatus Failed", func() error {
		got := s.get(t, camera)
		if res := kstatusOf(t, got); res.Status != status.FailedStatus {
			return fmt.Errorf("%s: %s", res.Status, res.Message)
		}
		return nil
	})
	// Gone before the restart check: a Terminal object is retried at every poll.
	s.must(t, "delete", "-f", file, "--wait", "--timeout=60s")
}

// driftIsCorrected renames a Site in the fake with the API, as a person in Control
// Room would; the operator puts the spec's name back within a poll interval.
func (s *suite) driftIsCorrected(t *testing.T) {
	var site *unstructured.Unstructured
	for _, u := range s.managed() {
		if u.GetKind() == "Site" {
			site = s.get(t, u)
			break
		}
	}
	if site == nil {
		t.Skip("no Site in config/samples")
	}
	id, _, _ := unstructured.NestedString(site.Object, "status", "externalID")
	want, _, _ := unstructured.NestedString(site.Object, "spec", "name")
	code, obj := s.fake.do(t, "GET", "/sites/"+id, nil)
	if code != 200 {
		t.Fatalf("GET site %s: %d", id, code)
	}
	obj["name"] = "Renamed behind the operator's back"
	if code, _ := s.fake.do(t, "PUT", "/sites", obj); code/100 != 2 {
		t.Fatalf("PUT site: %d", code)
	}
	eventually(t, 30*time.Second, "the site's name put back", func() error {
		if _, obj := s.fake.do(t, "GET", "/sites/"+id, nil); obj["name"] != want {
			return fmt.Errorf("name %v, want %q", obj["name"], want)
		}
		return nil
	})
}

// restartWritesNothing restarts the manager binary: it finds every object in sync
// and writes nothing over several polls, neither to HoxtonAi nor to Kubernetes. The
// one write allowed is a Connection's status with a new tokenExpiresAt (a new process
// obtains a new token and says when it expires) and the collections it has swept.
func (s *suite) restartWritesNothing(t *testing.T) {
	before := map[string]*unstructured.Unstructured{}
	for _, u := range s.all() {
		before[key(u)] = s.get(t, u)
	}
	s.manager.stop(t)
	mark := s.fake.log.len()
	s.startManager(t)
	objects := len(s.managed())
	// Every object read at least twice: a restart's first reconcile and one poll.
	eventually(t, 60*time.Second, "every object read after the restart", func() error {
		if n := apiReads(s.fake.log.since(mark)); n < 2*objects {
			return fmt.Errorf("%d reads, want at least %d", n, 2*objects)
		}
		return nil
	})
	if writes := apiWrites(s.fake.log.since(mark)); len(writes) > 0 {
		t.Errorf("%d API writes after the restart, want 0:\n%s", len(writes), strings.Join(writes, "\n"))
	}
	kubeWrites := 0
	for _, u := range s.all() {
		after := s.get(t, u)
		if after.GetResourceVersion() == before[key(u)].GetResourceVersion() {
			continue
		}
		kubeWrites++
		if a, b := comparable(after), comparable(before[key(u)]); !equality.Semantic.DeepEqual(a, b) {
			t.Errorf("%s was written after the restart:\nbefore %v\nafter  %v", key(u), b, a)
		}
	}
	t.Logf("after the restart: %d API reads, 0 API writes, %d token-expiry status writes, for %d objects",
		apiReads(s.fake.log.since(mark)), kubeWrites, objects)
}

func key(u *unstructured.Unstructured) string {
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// comparable is the object without what a write always changes (resourceVersion,
// managedFields) and without a Connection's token expiry.
func comparable(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "metadata", "resourceVersion")
	unstructured.RemoveNestedField(c.Object, "metadata", "managedFields")
	if u.GetKind() == "Connection" || u.GetKind() == "ClusterConnection" {
		// What a new process learns for itself: its token, and which collections
		// its polls have swept so far.
		unstructured.RemoveNestedField(c.Object, "status", "tokenExpiresAt")
		unstructured.RemoveNestedField(c.Object, "status", "collections")
	}
	return c.Object
}

func (s *suite) explainAnswers(t *testing.T) {
	for _, crd := range loadCRDs(t) {
		out := s.must(t, "explain", crd.Spec.Names.Plural+"."+crd.Spec.Group+".spec")
		if !strings.Contains(out, "DESCRIPTION") || !strings.Contains(out, "FIELDS") {
			t.Errorf("kubectl explain %s.spec answered:\n%s", crd.Spec.Names.Plural, out)
		}
	}
}

func (s *suite) deleteLeavesNothing(t *testing.T) {
	ids := map[*unstructured.Unstructured]string{}
	for _, u := range s.managed() {
		id, _, _ := unstructured.NestedString(s.get(t, u).Object, "status", "externalID")
		ids[u] = id
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.run(ctx, "delete", "-f", s.samplesDir, "--wait", "--timeout=90s"); err != nil {
		t.Fatalf("%v\nstill there:\n%s", err, s.leftovers(t))
	}
	if left := s.leftovers(t); left != "" {
		t.Fatalf("objects left after kubectl delete:\n%s", left)
	}
	for u, id := range ids {
		exp, ok := afterDeletion[u.GetKind()]
		if !ok || id == "" {
			continue // TestEveryKindHasAnExpectation and samplesBecomeReady report these
		}
		code, obj := s.fake.do(t, "GET", "/"+exp.collection+"/"+id, nil)
		if err := exp.check(code, obj); err != nil {
			t.Errorf("%s %s (%s) in the fake after deletion: %v", u.GetKind(), u.GetName(), id, err)
		}
	}
}

// leftovers lists every object of the CRDs' kinds still in the cluster.
func (s *suite) leftovers(t *testing.T) string {
	var kinds []string
	for _, crd := range loadCRDs(t) {
		kinds = append(kinds, crd.Spec.Names.Plural+"."+crd.Spec.Group)
	}
	out := s.must(t, "get", strings.Join(kinds, ","), "-A", "--no-headers", "--ignore-not-found")
	return strings.TrimSpace(out)
}
