package testenv

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// FastClient returns a client of the control plane without client-go's default rate
// limit (5 per second), for tests that create or inspect thousands of objects.
func (e *Env) FastClient() (client.Client, error) {
	cfg := rest.CopyConfig(e.ControlPlane.Config)
	cfg.QPS, cfg.Burst = 1000, 2000
	scheme, err := operator.NewScheme()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// CreateAll creates objs with a few workers, in order as far as the workers allow.
func CreateAll(ctx context.Context, c client.Client, objs []client.Object) error {
	const workers = 8
	next := make(chan client.Object)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range workers {
		wg.Go(func() {
			for o := range next {
				if err := c.Create(ctx, o); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("creating %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	return first
}

// FleetState counts the managed objects of every registered kind in a namespace.
type FleetState struct {
	Total int
	// InSync are Ready and Synced at their generation.
	InSync int
	// Finalized still carry the operator's finalizer.
	Finalized int
	// NotInSync names a few objects that are not in sync, with their Synced message.
	NotInSync []string
}

// Fleet reads the managed objects of every kind of the registry in ns.
func Fleet(ctx context.Context, c client.Client, ns string) (FleetState, error) {
	var st FleetState
	for _, k := range kinds.Registry() {
		list := k.NewList()
		if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return st, err
		}
		err := meta.EachListItem(list, func(it runtime.Object) error {
			o := it.(managed.Object)
			st.Total++
			for _, f := range o.GetFinalizers() {
				if f == managed.Finalizer {
					st.Finalized++
				}
			}
			if InSync(o) {
				st.InSync++
			} else if len(st.NotInSync) < 5 {
				msg := ""
				if c := conditions.Get(o.GetManagedStatus().Conditions, conditions.TypeSynced); c != nil {
					msg = c.Reason + ": " + c.Message
				}
				st.NotInSync = append(st.NotInSync, fmt.Sprintf("%s %s (%s)", k.Name, o.GetName(), msg))
			}
			return nil
		})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// InSync reports whether o is Ready and Synced at its generation.
func InSync(o managed.Object) bool {
	s := o.GetManagedStatus()
	gen := o.GetGeneration()
	ready := conditions.Get(s.Conditions, conditions.TypeReady)
	synced := conditions.Get(s.Conditions, conditions.TypeSynced)
	return ready != nil && synced != nil && ready.Status == "True" && synced.Status == "True" &&
		synced.ObservedGeneration == gen && s.ObservedGeneration == gen
}

// ClearNamespace removes the managed objects of ns from the cluster without touching
// HoxtonAi: finalizers are dropped first. Run it with no manager running.
func ClearNamespace(ctx context.Context, c client.Client, ns string) error {
	for _, k := range kinds.Registry() {
		list := k.NewList()
		if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return err
		}
		err := meta.EachListItem(list, func(it runtime.Object) error {
			o := it.(client.Object)
			base := o.DeepCopyObject().(client.Object)
			o.SetFinalizers(nil)
			if err := c.Patch(ctx, o, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
				return err
			}
			return client.IgnoreNotFound(c.Delete(ctx, o))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// StatusWrites counts the manager's status writes of managed objects; its NewClient
// goes into operator.Options.
type StatusWrites struct{ n atomic.Int64 }

// Count returns the status writes so far.
func (s *StatusWrites) Count() int64 { return s.n.Load() }

// NewClient builds the manager's client, counting status writes.
func (s *StatusWrites) NewClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	wc, err := client.NewWithWatch(cfg, opts)
	if err != nil {
		return nil, err
	}
	count := func(obj client.Object, sub string) {
		if _, ok := obj.(managed.Object); ok && sub == "status" {
			s.n.Add(1)
		}
	}
	return interceptor.NewClient(wc, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			count(obj, sub)
			return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, cl client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			count(obj, sub)
			return cl.SubResource(sub).Update(ctx, obj, opts...)
		},
	}), nil
}
