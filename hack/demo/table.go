package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// watcher shows the status of the applied objects.
type watcher struct {
	client  client.Client
	objects []*unstructured.Unstructured
	last    string
}

// row is one object's status line.
type row struct {
	kind, name, ready, synced, externalID, why string
}

// follow prints the table whenever it changes, until ctx ends.
func (w *watcher) follow(ctx context.Context, start time.Time) {
	fmt.Println("Watching; press Ctrl-C to stop and clean up.")
	allReady := false
	w.poll(ctx, func(rows []row) bool {
		if ready(rows) && !allReady {
			fmt.Printf("All %d objects Ready and Synced %.1f s after the demo started.\n\n", len(rows), time.Since(start).Seconds())
		}
		allReady = ready(rows)
		return false
	})
}

// untilReady waits until every object is Ready; it returns the exit code.
func (w *watcher) untilReady(ctx context.Context, start time.Time, timeout time.Duration) int {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rows []row
	done := w.poll(ctx, func(r []row) bool { rows = r; return ready(r) })
	if done {
		fmt.Printf("All %d objects Ready and Synced %.1f s after the demo started.\n", len(rows), time.Since(start).Seconds())
		return 0
	}
	fmt.Fprintf(os.Stderr, "demo: not every object became Ready within %s:\n", timeout)
	for _, r := range rows {
		if r.ready != "True" {
			fmt.Fprintf(os.Stderr, "  %s/%s: Ready=%s Synced=%s %s\n", r.kind, r.name, r.ready, r.synced, r.why)
		}
	}
	return 1
}

// poll reads the statuses every half second and prints the table when it changed. It
// stops when stop returns true (reporting true) or ctx ends (reporting false).
func (w *watcher) poll(ctx context.Context, stop func([]row) bool) bool {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		rows := w.rows(ctx)
		w.print(rows)
		if stop(rows) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}

func (w *watcher) rows(ctx context.Context) []row {
	rows := make([]row, 0, len(w.objects))
	for _, o := range w.objects {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.GroupVersionKind())
		r := row{kind: o.GetKind(), name: o.GetName(), ready: "-", synced: "-"}
		if err := w.client.Get(ctx, client.ObjectKeyFromObject(o), u); err == nil {
			r.ready, r.why = condition(u, "Ready")
			synced, why := condition(u, "Synced")
			r.synced = synced
			if synced == "False" || r.why == "" {
				r.why = why
			}
			r.externalID, _, _ = unstructured.NestedString(u.Object, "status", "externalID")
			if org, _, _ := unstructured.NestedString(u.Object, "status", "organisationName"); org != "" {
				r.externalID = "org: " + org
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func (w *watcher) print(rows []row) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tREADY\tSYNCED\tEXTERNAL-ID\tMESSAGE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.kind, r.name, r.ready, r.synced, r.externalID, r.why)
	}
	_ = tw.Flush()
	if b.String() != w.last {
		w.last = b.String()
		fmt.Printf("%s %s\n", time.Now().Format("15:04:05"), strings.Repeat("-", 60))
		fmt.Print(w.last)
	}
}

// condition returns the status and "reason: message" of a condition.
func condition(u *unstructured.Unstructured, condType string) (string, string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != condType {
			continue
		}
		status, _ := m["status"].(string)
		reason, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		if msg != "" {
			reason += ": " + msg
		}
		return status, reason
	}
	return "-", ""
}

func ready(rows []row) bool {
	for _, r := range rows {
		// In sync too, where the kind reports it: Ready alone is true while links
		// still wait for their targets.
		if r.ready != "True" || (r.synced != "True" && r.synced != "-") {
			return false
		}
	}
	return len(rows) > 0
}
