package cli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// diffPlan runs diff with the fake's credentials and decodes its -o json plan.
func diffPlan(t *testing.T, fake *hoxtontest.Server, stdin io.Reader, args ...string) (result, cli.Plan) {
	t.Helper()
	res := run(t, cli.Env{Getenv: fakeEnv(fake), In: stdin}, append([]string{"diff", "-o", "json"}, args...)...)
	var plan cli.Plan
	if res.stdout != "" {
		if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
			t.Fatalf("diff %v: %v\n%s\n%s", args, err, res.stdout, res.stderr)
		}
	}
	return res, plan
}

// planned lists "Kind ns/name action" of every object of a plan.
func planned(p cli.Plan) []string {
	var out []string
	for _, e := range p.Objects {
		out = append(out, e.Kind+" "+e.Namespace+"/"+e.Name+" "+string(e.Action)+e.Error)
	}
	return out
}

// readmeExamples returns the README's ```yaml blocks that hold Kubernetes objects of
// the group hoxtonai.dev, joined into one stream.
func readmeExamples(t *testing.T) ([]byte, int) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n := 0
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1) {
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(m[1]), 4096)
		ours := false
		for {
			var doc struct{ APIVersion string }
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("README example %q: %v", m[1], err)
			}
			ours = ours || strings.HasPrefix(doc.APIVersion, v1alpha1.GroupVersion.Group+"/")
		}
		if ours {
			out.WriteString("---\n")
			out.Write(m[1])
			n++
		}
	}
	return out.Bytes(), n
}

// TestDiffOfEverySampleAndReadmeExample: diff plans every sample (config/samples,
// built through its kustomization, and config/samples/cluster) and every example of
// the README, read from standard input, without a panic or an error. The samples'
// OAuthClient has no externalID: its plan reads the credentials Secret, which no
// cluster provides here.
func TestDiffOfEverySampleAndReadmeExample(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	readme, blocks := readmeExamples(t)
	if blocks < 10 {
		t.Fatalf("found %d README examples of hoxtonai.dev objects", blocks)
	}
	for _, c := range []struct {
		name  string
		stdin []byte
		args  []string
		min   int
	}{
		{"samples", nil, []string{"-f", "../../config/samples", "-n", "stores"}, 11},
		{"cluster samples", nil, []string{"-f", "../../config/samples/cluster"}, 0},
		{"README", readme, []string{"-f", "-", "-n", "stores"}, 11},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, plan := diffPlan(t, fake, bytes.NewReader(c.stdin), c.args...)
			if res.code != cli.ExitFindings && res.code != cli.ExitOK || plan.Errors() > 0 || len(plan.Objects) < c.min {
				t.Fatalf("diff: exit %d, %d objects (want %d), %d errors:\n  %s\n%s", res.code, len(plan.Objects), c.min,
					plan.Errors(), strings.Join(planned(plan), "\n  "), res.stderr)
			}
			kinds := map[string]bool{}
			for _, e := range plan.Objects {
				kinds[e.Kind] = true
			}
			if c.min > 0 && !kinds["OAuthClient"] {
				t.Errorf("no OAuthClient planned: %v", planned(plan))
			}
		})
	}
}

// writeFiles writes files (path: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// siteManifest is a Site named name whose HoxtonAi name is title.
func siteManifest(name, title string) string {
	return "apiVersion: hoxtonai.dev/v1alpha1\nkind: Site\nmetadata: {name: " + name + "}\nspec: {name: " + title + ", timeZone: Europe/London}\n"
}

// TestDiffReadsFoldersAsKubectlDoes: a folder gives its own files, -R its
// sub-folders' too; a folder holding a kustomization is built, so an overlay is
// diffed with its patches and namespace, as `kubectl apply -k` would apply it.
func TestDiffReadsFoldersAsKubectlDoes(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	defer fake.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"base/kustomization.yaml": "resources: [site.yaml]\n",
		"base/site.yaml":          siteManifest("london", "Base name"),
		"overlays/prod/kustomization.yaml": `resources: [../../base]
namespace: prod
patches:
  - target: {kind: Site, name: london}
    patch: |
      - {op: replace, path: /spec/name, value: Production name}
`,
		"loose/a.yaml":                   siteManifest("a", "A"),
		"loose/notes.txt":                "not a manifest",
		"loose/sub/b.yml":                siteManifest("b", "B"),
		"loose/built/kustomization.yaml": "resources: [c.yaml]\nnamePrefix: built-\n",
		"loose/built/c.yaml":             siteManifest("c", "C"),
		"loose/built/ignored.yaml":       siteManifest("not-listed", "Not listed"),
	})
	res, plan := diffPlan(t, fake, nil, "-f", filepath.Join(dir, "overlays/prod"), "-n", "elsewhere")
	if res.code != cli.ExitFindings || len(plan.Objects) != 1 {
		t.Fatalf("overlay: exit %d, %v\n%s", res.code, planned(plan), res.stderr)
	}
	site := plan.Objects[0]
	if site.Namespace != "prod" || site.Name != "london" || !strings.Contains(show(site.Changes), `"Production name"`) {
		t.Errorf("the overlay was not built as kubectl would: %s/%s %s", site.Namespace, site.Name, show(site.Changes))
	}

	names := func(args ...string) string {
		t.Helper()
		res, plan := diffPlan(t, fake, nil, append([]string{"-n", "shop"}, args...)...)
		if res.code != cli.ExitFindings {
			t.Fatalf("diff %v: exit %d\n%s", args, res.code, res.stderr)
		}
		var out []string
		for _, e := range plan.Objects {
			out = append(out, e.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names("-f", filepath.Join(dir, "loose")); got != "a" {
		t.Errorf("a folder without -R: %s, want its own file only", got)
	}
	if got := names("-R", "-f", filepath.Join(dir, "loose")); got != "a,b,built-c" {
		t.Errorf("-R: %s, want a, b and the built kustomization's built-c", got)
	}
	stdin := strings.NewReader(siteManifest("piped", "Piped"))
	res, plan = diffPlan(t, fake, stdin, "-f", "-", "-n", "shop")
	if res.code != cli.ExitFindings || len(plan.Objects) != 1 || plan.Objects[0].Name != "piped" || plan.Objects[0].Namespace != "shop" {
		t.Errorf("-f -: exit %d %v\n%s", res.code, planned(plan), res.stderr)
	}
}

func show(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
