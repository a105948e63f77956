package cli

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// clearScreen moves a terminal's cursor home and clears it, so a redrawn tree
// replaces the last one.
const clearScreen = "\x1b[H\x1b[2J"

// watchTree draws the tree, then again each time an object of a kind the tree reads
// changes (watches on the cluster, no polling), until ctx ends. Changes that come
// together are drawn once, and a tree that did not change is not drawn again. It
// returns the last tree's result.
func watchTree(ctx context.Context, r *Root, c client.Client, root objectKey, format string,
	read func(context.Context) (*TreeNode, error)) error {
	cfg, err := r.Kube.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: c.Scheme(), Mapper: c.RESTMapper()})
	if err != nil {
		return fmt.Errorf("cluster client: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, l := range treeLists() {
		w, err := startWatch(ctx, wc, l, root)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			forwardChanges(ctx, wc, l, root, w, changed)
		}()
	}
	terminal := r.Env.IsTerminal(r.Env.Out)
	var last []byte
	var result error
	for {
		tree, err := read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return result
			}
			return err
		}
		var buf bytes.Buffer
		if err := printTree(&buf, format, tree); err != nil {
			return err
		}
		if !bytes.Equal(buf.Bytes(), last) {
			if terminal {
				_, _ = r.Env.Out.Write([]byte(clearScreen))
			} else if last != nil {
				_, _ = r.Env.Out.Write([]byte("\n"))
			}
			if _, err := r.Env.Out.Write(buf.Bytes()); err != nil {
				return err
			}
			last = buf.Bytes()
		}
		result = treeResult(tree)
		select {
		case <-ctx.Done():
			return result
		case <-changed:
		}
	}
}

// startWatch watches the objects of one kind the tree reads.
func startWatch(ctx context.Context, c client.WithWatch, l treeList, root objectKey) (watch.Interface, error) {
	var opts []client.ListOption
	if root.kind != "ClusterConnection" {
		opts = append(opts, client.InNamespace(root.namespace))
	}
	return c.Watch(ctx, l.new(), opts...)
}

// forwardChanges signals changed (without blocking: one pending signal is enough) on
// each event of w, and watches again when the API server ends the watch.
func forwardChanges(ctx context.Context, c client.WithWatch, l treeList, root objectKey, w watch.Interface, changed chan<- struct{}) {
	for {
		for range w.ResultChan() {
			select {
			case changed <- struct{}{}:
			default:
			}
		}
		w.Stop()
		if ctx.Err() != nil {
			return
		}
		var err error
		if w, err = startWatch(ctx, c, l, root); err != nil {
			return
		}
		// Whatever changed while no watch ran is read by the next draw.
		select {
		case changed <- struct{}{}:
		default:
		}
	}
}
