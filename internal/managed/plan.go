package managed

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Action is what the operator would do to the HoxtonAi object of a manifest.
type Action string

// The actions of a plan.
const (
	// ActionCreate: the object does not exist; the operator creates it (or claims a
	// camera).
	ActionCreate Action = "create"
	// ActionUpdate: the object exists and differs; the operator writes the
	// differences.
	ActionUpdate Action = "update"
	// ActionNone: the object exists and matches the manifest.
	ActionNone Action = "unchanged"
	// ActionObserve: the manifest is ObserveOnly; differences are reported, never
	// written.
	ActionObserve Action = "observe"
	// ActionPaused: the manifest carries the pause annotation; the operator makes no
	// call for it until it is removed. Differences are reported, not written.
	ActionPaused Action = "paused"
)

// PlanInput is what a plan of one manifest needs besides the manifest: how ids are
// derived, the other manifests its references name, and the values of the Secret
// manifests among them.
type PlanInput struct {
	// Organisation and IDNamespace derive deterministic ids, as the reconciler does.
	Organisation string
	IDNamespace  uuid.UUID
	// Lookup returns the manifest of kind named name in namespace, as planned so far
	// (status.externalID and atProvider filled), so that a reference to it resolves
	// to what the reconciler would resolve it to.
	Lookup func(kind, namespace, name string) (Object, bool)
	// Secrets holds the values of the Secret manifests, by key.
	Secrets map[v1alpha1.SecretKeySelector]string
}

// Planned is the plan of one manifest.
type Planned struct {
	// ID is the HoxtonAi id the manifest maps to: spec.externalID, the derived id, or
	// the id of the camera found by its serial; "" for a camera still to be claimed.
	ID     string
	Action Action
	// Diff is what would be written: every managed field and link of an object to
	// create, the differences of one to update.
	Diff Diff
	// Notes say what the plan could not decide (a Secret not among the manifests).
	Notes []string
	// Object is the manifest with status.externalID and atProvider as observed, for
	// the references of later manifests.
	Object Object
}

// CreationDescriber is an adapter that can tell what its Create would write, for
// plans; Upserted is one.
type CreationDescriber[O Object] interface {
	DescribeCreate(o O, refs Refs) (Diff, error)
}

// IDOf returns the id the reconciler would give manifest o of kind in organisation
// org before any call: spec.externalID, or for deterministic kinds the derived id.
func IDOf[O Object, S any](kind Kind[O, S], o O, org string, space uuid.UUID) string {
	switch spec := o.GetManagedSpec(); {
	case spec.ExternalID != "":
		return spec.ExternalID
	case kind.IDs == DeterministicID:
		return DeterministicIDFor(space, org, kind.Name, o.GetNamespace(), o.GetName())
	}
	return ""
}

// Plan says what the reconciler would write for manifest, without writing anything
// and without a cluster. It goes through the kind's own declarations: its references
// (resolved among the other manifests), its adapter's Observe, the same comparison of
// fields and link sets the reconciler acts on. It only reads HoxtonAi; a server
// assigned object (a camera) is looked up the way an ObserveOnly one is.
func Plan[O Object, S any](ctx context.Context, kind Kind[O, S], c *hoxton.Client, manifest O, in PlanInput) (Planned, error) {
	o := manifest.DeepCopyObject().(O)
	spec, status := o.GetManagedSpec(), o.GetManagedStatus()
	status.ExternalID = IDOf(kind, o, in.Organisation, in.IDNamespace)
	out := Planned{ID: status.ExternalID, Object: o}
	refs, err := resolveLocal(o, kind.References, in.Lookup)
	if err != nil {
		return out, err
	}
	missing := missingSecrets(kind, o, in.Secrets, &refs)
	if kind.CredentialsSecret != nil {
		refs.credentials = plannedCredentials(o, kind.Name, kind.CredentialsSecret(o), in.Secrets)
	}

	policy := spec.ManagementPolicy
	obs, err := kind.Adapter.Observe(ctx, c, o, refs)
	if err == nil {
		err = kind.mayTake(o, obs)
	}
	if err != nil {
		return out, err
	}
	if obs.Exists && obs.FoundID != "" {
		status.ExternalID, out.ID = obs.FoundID, obs.FoundID
	}
	switch {
	case !obs.Exists && spec.ExternalID != "":
		return out, &adoptionError{id: spec.ExternalID}
	case !obs.Exists && policy == v1alpha1.ManagementPolicyObserveOnly:
		return out, fmt.Errorf("no HoxtonAi %s %s to observe; managementPolicy ObserveOnly never creates it", kind.Name, out.ID)
	case !obs.Exists:
		out.Action = ActionCreate
		if d, ok := kind.Adapter.(CreationDescriber[O]); ok {
			if out.Diff, err = d.DescribeCreate(o, refs); err != nil {
				return out, err
			}
		}
	case policy == v1alpha1.ManagementPolicyObserveOnly:
		out.Action, out.Diff = ActionObserve, obs.Diff
	case obs.UpToDate():
		out.Action = ActionNone
	default:
		out.Action, out.Diff = ActionUpdate, obs.Diff
	}
	if isPaused(o) && (out.Action == ActionCreate || out.Action == ActionUpdate) {
		out.Action = ActionPaused
		out.Notes = append(out.Notes, "paused by the annotation "+AnnotationPaused+": nothing is written until it is removed")
	}
	if len(missing) > 0 {
		out.Diff, out.Notes = withoutSensitive(out.Diff), append(out.Notes, missing...)
		if out.Action == ActionUpdate && len(out.Diff) == 0 {
			out.Action = ActionNone
		}
	}
	return out, nil
}

// DescribeCreate lists what Create writes: every managed field that is set, and every
// link.
func (u Upserted[O, T]) DescribeCreate(o O, refs Refs) (Diff, error) {
	id := o.GetManagedStatus().ExternalID
	body, err := u.Body(o, id, refs)
	if err != nil {
		return nil, err
	}
	var zero T
	d := CompareFields(u.Fields, body, zero)
	for _, set := range u.Links {
		d = append(d, set.diff(set.desired(o, refs), nil)...)
	}
	return d, nil
}

// resolveLocal resolves o's references among the manifests: a name resolves to what
// the target's own Target.Value gives for the planned target manifest, or, for a
// target not created yet whose value HoxtonAi assigns (a camera's position), to a
// placeholder naming it. A name no manifest has is an error.
func resolveLocal[O Object](o O, refs []Reference[O], lookup func(kind, namespace, name string) (Object, bool)) (Refs, error) {
	out := Refs{ids: map[RefField][]string{}}
	for _, ref := range refs {
		for _, e := range ref.Entries(o) {
			if e.Name == "" {
				out.ids[ref.Field] = append(out.ids[ref.Field], e.ID)
				continue
			}
			target, ok := lookup(ref.Target.Kind, o.GetNamespace(), e.Name)
			if !ok {
				return Refs{}, fmt.Errorf("%s: no %s %q among the manifests", ref.Field, ref.Target.Kind, e.Name)
			}
			value := ref.Target.Value(target)
			if value == "" {
				value = fmt.Sprintf("(%s %s, once created)", ref.Target.Kind, e.Name)
			}
			out.ids[ref.Field] = append(out.ids[ref.Field], value)
		}
	}
	return out, nil
}

// missingSecrets puts the values of o's Secret keys into refs and names those the
// manifests do not hold.
func missingSecrets[O Object, S any](kind Kind[O, S], o O, values map[v1alpha1.SecretKeySelector]string, refs *Refs) []string {
	if kind.Secrets == nil {
		return nil
	}
	var missing []string
	refs.secrets = map[v1alpha1.SecretKeySelector]string{}
	for _, sel := range kind.Secrets(o) {
		v, ok := values[sel]
		if !ok {
			missing = append(missing, fmt.Sprintf("Secret %s key %s is not among the manifests: the fields it fills are not compared", sel.Name, sel.Key))
			continue
		}
		refs.secrets[sel] = v
	}
	return missing
}

// withoutSensitive drops the differences of sensitive fields, which cannot be
// compared without the Secret that fills them.
func withoutSensitive(d Diff) Diff {
	var out Diff
	for _, x := range d {
		if !x.Sensitive {
			out = append(out, x)
		}
	}
	return out
}

// plannedCredentials is the kind's credentials Secret as the manifests hold it, for
// the adapter's Observe (an OAuth client is found through its Secret): absent when no
// Secret manifest of that name is among them, as for an object never created. It has
// no client: a plan never writes.
func plannedCredentials(o Object, kind, name string, values map[v1alpha1.SecretKeySelector]string) *Credentials {
	c := &Credentials{name: name, owner: o, marker: kind + "/" + o.GetName()}
	for sel, v := range values {
		if sel.Name != name {
			continue
		}
		if c.secret == nil {
			c.secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: o.GetNamespace(), Name: name}, Data: map[string][]byte{}}
		}
		c.secret.Data[sel.Key] = []byte(v)
	}
	return c
}
