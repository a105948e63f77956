package kinds_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

var errCrashed = errors.New("test: the manager crashed before this status write")

// crashingStatus builds manager clients whose status writes of managed objects in
// the namespace *ns fail once the fake has received a write after writesAtStart: the
// manager behaves as if it crashed right after its API calls, before recording them.
// Everything else (Connections, finalizers, status writes before the first API
// write, such as a derived id) goes through.
type crashingStatus struct {
	ns            atomic.Value // string
	writesAtStart int
	failed        atomic.Int32
}

func (c *crashingStatus) newClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	wc, err := client.NewWithWatch(cfg, opts)
	if err != nil {
		return nil, err
	}
	return interceptor.NewClient(wc, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			_, isManaged := obj.(managed.Object)
			if isManaged && sub == "status" && obj.GetNamespace() == c.ns.Load() && env.API.CountWrites() > c.writesAtStart {
				c.failed.Add(1)
				return errCrashed
			}
			return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}), nil
}

// TestCrashBetweenWriteAndStatus: a manager that wrote to HoxtonAi but never recorded
// it (its status writes fail, then it stops) leaves no duplicate behind: the next
// manager finds the object (by its derived id; a camera by its serial) even with the
// status lost entirely, and makes it Ready.
func TestCrashBetweenWriteAndStatus(t *testing.T) {
	for _, kc := range kindCases {
		t.Run(kc.kind, func(t *testing.T) {
			crash := &crashingStatus{writesAtStart: env.API.CountWrites()}
			crash.ns.Store("")
			startManager(t, operator.Options{PollInterval: pollInterval, NewClient: crash.newClient})
			ns := newConnectedNamespace(t)
			crash.ns.Store(ns)
			f := newFixture(t, ns)
			objects, calls := len(env.API.Objects(kc.collection)), countCalls()

			o := kc.build(f, "crash")
			if m, ok := o.(*v1alpha1.PeopleCountMonitor); ok {
				second := seedCamera(t, f.siteID, "SEED2-"+ns)["cameraPositionId"].(string)
				m.Spec.CameraPositions = append(m.Spec.CameraPositions, v1alpha1.MonitorCameraPosition{
					CameraPositionID: second, Direction1Maps: v1alpha1.Direction2, Direction2Maps: v1alpha1.Direction1,
				})
			}
			create(t, o)
			eventually(t, fmt.Sprintf("the %s to reach the fake and a status write after it to fail", kc.kind), func() (bool, string) {
				n := len(env.API.Objects(kc.collection)) - objects
				return n == 1 && crash.failed.Load() > 0, fmt.Sprintf("%d new objects, %d failed status writes", n, crash.failed.Load())
			})
			stopManager(t)

			get(t, o)
			if hasCondition(o, conditions.TypeReady, metav1.ConditionTrue, "") {
				t.Fatalf("the crash came too late: the status was written: %s", describeStatus(o))
			}
			// Lose what the status holds, as a cluster rebuilt from Git would.
			*o.GetManagedStatus() = v1alpha1.ManagedStatus{}
			if err := env.Client.Status().Update(ctx, o); err != nil {
				t.Fatalf("clearing the status: %v", err)
			}

			restartManager(t, operator.Options{PollInterval: pollInterval})
			waitReady(t, o)
			if n := len(env.API.Objects(kc.collection)) - objects; n != 1 {
				t.Fatalf("the fake holds %d new %s after the crash and restart, want exactly 1", n, kc.collection)
			}
			id := o.GetManagedStatus().ExternalID
			if d := kc.mismatch(o, fakeObject(t, kc.collection, id)); d != "" {
				t.Fatalf("after the restart the fake's %s differs from the spec: %s", kc.kind, d)
			}
			// The restarted manager claims again: the 409 leads it to the camera the
			// first claim made, so exactly one claim succeeded.
			claimed := calls.requests(func(r hoxtontest.Request) bool { return r.Method == "POST" && r.Path == "/cameras" && r.Status == 201 })
			if n := len(claimed); kc.kind == "Camera" && n != 1 {
				t.Fatalf("%d successful camera claims across the crash, want exactly 1:\n  %s", n, describeRequests(calls.requests(nil)))
			}
			if kc.kind == "PeopleCountMonitor" {
				// Not only one active link per position: no link was ever created twice.
				links := 0
				for _, l := range env.API.Objects("people-count-monitor-camera-positions") {
					if fakeField(l, "peopleCountMonitorId") == id {
						links++
					}
				}
				if want := len(o.(*v1alpha1.PeopleCountMonitor).Spec.CameraPositions); links != want {
					t.Fatalf("the monitor has %d link objects in the fake (deleted ones included), want %d", links, want)
				}
			}
		})
	}
}
