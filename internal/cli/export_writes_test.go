package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// linkCollections maps the fake's link collections to their owner and target
// fields and the link set field of the owning kind.
var linkCollections = map[string][3]string{
	"people-count-monitor-camera-positions":  {"peopleCountMonitorId", "cameraPositionId", "cameraPositions"},
	"occupancy-monitor-camera-positions":     {"occupancyMonitorId", "cameraPositionId", "cameraPositions"},
	"peel-off-monitor-camera-positions":      {"peelOffMonitorId", "cameraPositionId", "cameraPositions"},
	"alert-notification-group-mappings":      {"alertId", "notificationGroupId", "notificationGroups"},
	"alert-camera-position-mappings":         {"alertId", "cameraPositionId", "cameras"},
	"alert-occupancy-monitor-mappings":       {"alertId", "occupancyMonitorId", "occupancyMonitors"},
	"notification-group-notification-groups": {"parentId", "childId", "childGroups"},
}

// observedWrites describes the accepted writes of reqs per object, sorted: "<id>
// create", "<id> write", "<owner> <field> add|remove|change <target>".
func observedWrites(t *testing.T, fake *hoxtontest.Server, reqs []hoxtontest.Request) []string {
	t.Helper()
	var out []string
	for _, r := range reqs {
		if r.Status >= 300 || r.Method == http.MethodGet {
			continue
		}
		segs := strings.Split(strings.Trim(r.Path, "/"), "/")
		var body map[string]any
		_ = json.Unmarshal(r.Body, &body)
		link, isLink := linkCollections[segs[0]]
		switch {
		case segs[0] == "cameras" && r.Method == http.MethodPost:
			out = append(out, fmt.Sprintf("camera %s create", body["serialNumber"]))
		case segs[0] == "cameras":
			out = append(out, segs[1]+" write")
		case isLink && r.Method == http.MethodDelete:
			stored, _ := fake.Object(segs[0], segs[1])
			out = append(out, fmt.Sprintf("%s %s remove %s", stored[link[0]], link[2], stored[link[1]]))
		case isLink && r.Status == http.StatusCreated:
			out = append(out, fmt.Sprintf("%s %s add %s", body[link[0]], link[2], body[link[1]]))
		case isLink:
			out = append(out, fmt.Sprintf("%s %s change %s", body[link[0]], link[2], body[link[1]]))
		case r.Status == http.StatusCreated:
			out = append(out, fmt.Sprintf("%s create", body["id"]))
		default:
			out = append(out, fmt.Sprintf("%s write", body["id"]))
		}
	}
	slices.Sort(out)
	return out
}

// predictedWrites describes the plan as observedWrites describes requests. Ids the
// plan cannot know (a camera to claim, its position) are read from the cluster now
// that the operator has applied the manifests.
func predictedWrites(t *testing.T, env *testenv.Env, plan cli.Plan) []string {
	t.Helper()
	camera := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("hoxtonai.dev/v1alpha1")
		u.SetKind("Camera")
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: roundTripNamespace, Name: name}, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	var out []string
	for _, e := range plan.Objects {
		if e.Action != managed.ActionCreate && e.Action != managed.ActionUpdate {
			continue
		}
		id := e.ID
		if e.Kind == "Camera" && e.Action == managed.ActionCreate {
			serial, _, _ := unstructured.NestedString(camera(e.Name).Object, "spec", "serialNumber")
			out = append(out, "camera "+serial+" create")
			continue
		}
		fieldsWritten := false
		for _, c := range e.Changes {
			target := c.Target
			if name, ok := strings.CutPrefix(target, "(Camera "); ok {
				target, _, _ = unstructured.NestedString(camera(strings.TrimSuffix(name, ", once created)")).Object, "status", "atProvider", "cameraPositionID")
			}
			switch {
			case c.Link == "add":
				out = append(out, fmt.Sprintf("%s %s add %s", id, c.Field, target))
			case c.Link != "":
				out = append(out, fmt.Sprintf("%s %s remove %s", id, c.Field, target))
			case c.Target != "":
				out = append(out, fmt.Sprintf("%s %s change %s", id, c.Field, target))
			default:
				fieldsWritten = true
			}
		}
		switch {
		case e.Action == managed.ActionCreate:
			out = append(out, id+" create")
		case fieldsWritten:
			out = append(out, id+" write")
		}
	}
	slices.Sort(out)
	return out
}

// describeWrites lists the write requests, for failure messages.
func describeWrites(reqs []hoxtontest.Request) string {
	var lines []string
	for _, r := range reqs {
		if r.Method != http.MethodGet {
			lines = append(lines, fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status))
		}
	}
	return strings.Join(lines, "\n")
}

// writeKubeconfig writes a kubeconfig of an administrator of the control plane.
func writeKubeconfig(t *testing.T, cp *testenv.ControlPlane) string {
	t.Helper()
	user, err := cp.Env.AddUser(envtest.User{Name: "platform-team", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// requestsByResource counts requests by their first path segment.
func requestsByResource(reqs []hoxtontest.Request) string {
	counts := map[string]int{}
	for _, r := range reqs {
		counts[r.Method+" /"+strings.SplitN(strings.Trim(r.Path, "/"), "/", 2)[0]]++
	}
	return fmt.Sprint(counts)
}
