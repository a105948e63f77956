package v1alpha1_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// commonWords are names other operators give their kinds or short names (Prometheus's
// alerts, Keycloak's and Grafana's users, monitoring stacks' monitors, CCTV and
// cloud operators' sites and cameras): a short name of ours among them would make
// `kubectl get alert` answer with the wrong kind, depending on discovery order.
var commonWords = []string{
	"alert", "alerts", "annotation", "annotations", "camera", "cameras", "cam", "cams",
	"connection", "connections", "conn", "group", "groups", "monitor", "monitors",
	"notificationgroup", "ng", "oauth", "oauthclient", "client", "clients", "site", "sites",
	"user", "users", "usr", "pcm", "ocm", "pom", "peeloff", "occupancy", "cc",
}

// readCRDs reads every CRD in config/crd/bases.
func readCRDs(t *testing.T) []apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	var out []apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, crd)
	}
	return out
}

// TestKubectlOutputSaysWhy: every kind's `kubectl get` shows READY; a managed kind
// also SYNCED, its EXTERNAL-ID, and in -o wide (priority 1) the Synced condition's
// reason and message and the Connection it uses; a Connection its reason, its
// organisation and when its token expires. Every kind is in the category hoxton
// (`kubectl get hoxton`), and no short name is a word other operators use.
func TestKubectlOutputSaysWhy(t *testing.T) {
	const (
		synced       = `.status.conditions[?(@.type=="Synced")]`
		ready        = `.status.conditions[?(@.type=="Ready")]`
		shortNameTag = "hx"
	)
	type column struct {
		path     string
		priority int32
	}
	managedColumns := map[string]column{
		"READY": {ready + ".status", 0}, "SYNCED": {synced + ".status", 0}, "EXTERNAL-ID": {".status.externalID", 0},
		"REASON": {synced + ".reason", 1}, "MESSAGE": {synced + ".message", 1}, "CONNECTION": {".spec.connectionRef.name", 1},
	}
	connectionColumns := map[string]column{
		"READY": {ready + ".status", 0}, "REASON": {ready + ".reason", 0}, "ORGANISATION": {".status.organisationName", 0},
		"TOKEN-EXPIRES": {".status.tokenExpiresAt", 0}, "MESSAGE": {ready + ".message", 1},
	}
	seen := map[string]string{}
	for _, crd := range readCRDs(t) {
		kind := crd.Spec.Names.Kind
		want := managedColumns
		if strings.HasSuffix(kind, "Connection") {
			want = connectionColumns
		}
		for _, v := range crd.Spec.Versions {
			have := map[string]column{}
			for _, c := range v.AdditionalPrinterColumns {
				have[c.Name] = column{c.JSONPath, c.Priority}
			}
			for name, c := range want {
				if have[name] != c {
					t.Errorf("%s %s: column %s is %+v, want %+v", kind, v.Name, name, have[name], c)
				}
			}
		}
		if !slices.Contains(crd.Spec.Names.Categories, "hoxton") {
			t.Errorf("%s is not in the category hoxton: %v", kind, crd.Spec.Names.Categories)
		}
		if len(crd.Spec.Names.ShortNames) == 0 {
			t.Errorf("%s has no short name", kind)
		}
		for _, s := range crd.Spec.Names.ShortNames {
			if slices.Contains(commonWords, s) || !strings.HasPrefix(s, shortNameTag) {
				t.Errorf("%s: short name %q may collide with another operator's kinds; start it with %q", kind, s, shortNameTag)
			}
			if other, dup := seen[s]; dup {
				t.Errorf("short name %q is both %s's and %s's", s, other, kind)
			}
			seen[s] = kind
		}
	}
}
