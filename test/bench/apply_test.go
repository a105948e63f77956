package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// madeBy is how a run makes its fleet. What the tool leaves on each object is part
// of what the manager's cache holds: kubectl's client-side apply keeps the whole
// object again in the kubectl.kubernetes.io/last-applied-configuration annotation;
// server-side apply records managed fields instead, which the cache drops.
type madeBy struct {
	name string
	make func(ctx context.Context, h *binaryHarness, objs []client.Object) error
	// restart: the run goes on with the restart and the slope (once is enough).
	restart bool
}

var madeByAll = []madeBy{
	{name: "create", restart: true, make: func(ctx context.Context, _ *binaryHarness, objs []client.Object) error {
		return testenv.CreateAll(ctx, kube, objs)
	}},
	{name: "kubectl-apply", make: kubectlApply()},
	{name: "kubectl-apply-server-side", make: kubectlApply("--server-side")},
}

// The real kubectl sends at most 5 requests per second (client-go's default, which
// it has no flag for), and client-side apply makes two per new object: the fleet is
// applied in files of applyChunk objects by up to applyWorkers kubectl at once.
const (
	applyChunk   = 100
	applyWorkers = 25
)

// kubectlApply returns a madeBy.make that writes the objects as manifests, as a user
// keeps them (no status), and applies them with the envtest kubectl and args.
func kubectlApply(args ...string) func(ctx context.Context, h *binaryHarness, objs []client.Object) error {
	return func(ctx context.Context, h *binaryHarness, objs []client.Object) error {
		assets, err := testenv.AssetsDir()
		if err != nil {
			return err
		}
		scheme, err := operator.NewScheme()
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "hoxton-bench-apply-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		var files []string
		for i := 0; i < len(objs); i += applyChunk {
			path := filepath.Join(dir, fmt.Sprintf("chunk-%04d.yaml", i/applyChunk))
			if err := writeManifests(path, scheme, objs[i:min(i+applyChunk, len(objs))]); err != nil {
				return err
			}
			files = append(files, path)
		}

		next := make(chan string)
		errs := make(chan error, len(files))
		var wg sync.WaitGroup
		for range min(applyWorkers, len(files)) {
			wg.Go(func() {
				for f := range next {
					cmd := exec.CommandContext(ctx, filepath.Join(assets, "kubectl"), append([]string{"--kubeconfig", h.kubeconfig, "--cache-dir", filepath.Join(dir, "cache"), "apply", "-f", f}, args...)...)
					if out, err := cmd.CombinedOutput(); err != nil {
						errs <- fmt.Errorf("kubectl apply %v -f %s: %w: %.2000s", args, filepath.Base(f), err, out)
					}
				}
			})
		}
		for _, f := range files {
			next <- f
		}
		close(next)
		wg.Wait()
		close(errs)
		return <-errs
	}
}

// writeManifests writes objs to path as a multi-document YAML file.
func writeManifests(path string, scheme *runtime.Scheme, objs []client.Object) error {
	var buf bytes.Buffer
	for _, o := range objs {
		gvk, err := apiutil.GVKForObject(o, scheme)
		if err != nil {
			return err
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return err
		}
		u["apiVersion"], u["kind"] = gvk.GroupVersion().String(), gvk.Kind
		delete(u, "status")
		if m, ok := u["metadata"].(map[string]any); ok {
			delete(m, "creationTimestamp")
		}
		data, err := yaml.Marshal(u)
		if err != nil {
			return err
		}
		buf.WriteString("---\n")
		buf.Write(data)
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}
