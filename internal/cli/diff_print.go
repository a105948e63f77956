package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// Plan is what diff found: per manifest what the operator would do, and the
// organisation's objects no manifest describes. -o json|yaml prints it as is.
type Plan struct {
	Organisation string            `json:"organisation"`
	Objects      []PlanEntry       `json:"objects"`
	Unmanaged    []UnmanagedObject `json:"unmanaged"`
}

// PlanEntry is the plan of one manifest.
type PlanEntry struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// ID is the HoxtonAi id; empty for a camera still to be claimed.
	ID string `json:"id,omitempty"`
	// Action is create, update, unchanged, observe (ObserveOnly) or paused; only
	// create and update are written.
	Action  managed.Action `json:"action,omitempty"`
	Changes []Change       `json:"changes,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
	// Error says why the manifest could not be planned.
	Error string `json:"error,omitempty"`
}

// Change is one field or link the operator would write.
type Change struct {
	Field string `json:"field"`
	// Link is add, remove or "remove duplicate" for links, empty for fields and
	// changed links.
	Link string `json:"link,omitempty"`
	// Target is the link target's id, TargetName what it is: the manifest
	// ("Camera front-door") or the live object no manifest describes.
	Target     string `json:"target,omitempty"`
	TargetName string `json:"targetName,omitempty"`
	// Want and Have are left out of sensitive fields (a webhook URL).
	Want      any  `json:"want,omitempty"`
	Have      any  `json:"have,omitempty"`
	Sensitive bool `json:"sensitive,omitempty"`
}

// UnmanagedObject is a HoxtonAi object no manifest describes.
type UnmanagedObject struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Changes counts the manifests the operator would write for.
func (p *Plan) Changes() int {
	n := 0
	for _, e := range p.Objects {
		if e.Action == managed.ActionCreate || e.Action == managed.ActionUpdate {
			n++
		}
	}
	return n
}

// Errors counts the manifests that could not be planned.
func (p *Plan) Errors() int {
	n := 0
	for _, e := range p.Objects {
		if e.Error != "" {
			n++
		}
	}
	return n
}

func newPlanEntry(kind string, m manifest, p managed.Planned, err error) PlanEntry {
	e := PlanEntry{Kind: kind, Namespace: m.obj.GetNamespace(), Name: m.obj.GetName(), ID: p.ID, Notes: p.Notes}
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Action = p.Action
	for _, d := range p.Diff {
		c := Change{Field: d.Field, Link: d.Change, Target: d.Target, Sensitive: d.Sensitive}
		if !d.Sensitive {
			c.Want, c.Have = d.Want, d.Have
		}
		if p.Action == managed.ActionCreate {
			c.Have = nil
		}
		e.Changes = append(e.Changes, c)
	}
	return e
}

// printPlan prints the plan as text, or as yaml or json.
func printPlan(w io.Writer, format string, p *Plan) error {
	switch format {
	case "json":
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	counts := map[managed.Action]int{}
	for _, e := range p.Objects {
		counts[e.Action]++
		if e.Action == managed.ActionNone && len(e.Notes) == 0 {
			continue
		}
		id := e.ID
		if id == "" {
			id = "new"
		}
		status := string(e.Action)
		if e.Error != "" {
			status = "error: " + e.Error
		}
		fmt.Fprintf(w, "%s %s/%s (%s): %s\n", e.Kind, e.Namespace, e.Name, id, status)
		for _, c := range e.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
		for _, n := range e.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	if len(p.Unmanaged) > 0 {
		fmt.Fprintln(w, "Unmanaged (in HoxtonAi, in no manifest):")
		for _, u := range p.Unmanaged {
			fmt.Fprintf(w, "  %s %s %q\n", u.Kind, u.ID, u.Name)
		}
	}
	_, err := fmt.Fprintf(w, "Plan: %d to create, %d to update, %d unchanged, %d observed, %d paused, %d errors; %d unmanaged.\n",
		counts[managed.ActionCreate], counts[managed.ActionUpdate], counts[managed.ActionNone], counts[managed.ActionObserve],
		counts[managed.ActionPaused], p.Errors(), len(p.Unmanaged))
	return err
}

// String shows a change on one line, as a diff does: + set, - removed, ~ changed.
func (c Change) String() string {
	target := c.Target
	if c.TargetName != "" {
		target = fmt.Sprintf("%s (%s)", c.TargetName, c.Target)
	}
	switch {
	case c.Link == "add":
		return fmt.Sprintf("+ %s: %s", c.Field, target)
	case c.Link != "":
		return fmt.Sprintf("- %s: %s (%s)", c.Field, target, c.Link)
	case c.Sensitive:
		return fmt.Sprintf("~ %s: differs (values not shown)", c.Field)
	case c.Target != "":
		return fmt.Sprintf("~ %s: %s is %s, want %s", c.Field, target, show(c.Have), show(c.Want))
	case c.Have == nil:
		return fmt.Sprintf("+ %s: %s", c.Field, show(c.Want))
	}
	return fmt.Sprintf("~ %s: %s -> %s", c.Field, show(c.Have), show(c.Want))
}

func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(string(data))
}
