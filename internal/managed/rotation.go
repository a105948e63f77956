package managed

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// Rotation declares that the credentials a kind delivers into its CredentialsSecret
// are a secret HoxtonAi issues once and can issue again. The reconciler decides when
// a new one is due (a difference in SecretField), has it issued before any other
// write, and delivers it with Credentials.Deliver, which records the delivery in the
// status; the adapter's Create delivers the first one the same way.
type Rotation[O Object] struct {
	// Record is the object's status record of the delivery (never the secret).
	Record func(o O) *v1alpha1.OAuthClientCredentials
	// Every is the object's rotation schedule, nil for none.
	Every func(o O) *metav1.Duration
	// Issue has HoxtonAi issue a new secret for the object with id id, replacing the
	// old one, and returns it.
	Issue func(ctx context.Context, c *hoxton.Client, id string) (string, error)
}

// SecretField names a due secret in differences; their values say where and why,
// never what.
const SecretField = "clientSecret"

// due says why the secret of o, whose HoxtonAi id is id, must be issued again, if it
// must: the Secret lacks the one this object delivered (lost, or never captured
// because of a crash between the answer and the write), the rotate-secret annotation
// changed, or the schedule is due. An adopted object's secret is the adopter's to ask
// for: until the annotation does, the Secret holds none, and nothing is rotated. A
// delivery whose status write was lost starts the schedule now.
func (rot *Rotation[O]) due(o O, id string, creds *Credentials, now time.Time) Diff {
	st := rot.Record(o)
	want := func(want, have string) Diff { return Diff{{Field: SecretField, Want: want, Have: have}} }
	delivered := creds.Value(v1alpha1.SecretKeyClientID) == id && creds.Value(v1alpha1.SecretKeyClientSecret) != ""
	adopted := o.GetManagedSpec().ExternalID != ""
	every := rot.Every(o)
	switch request := o.GetAnnotations()[v1alpha1.AnnotationRotateSecret]; {
	case !delivered && (!adopted || st.IssuedAt != nil):
		return want("delivered to Secret "+creds.Name(), "not in it (lost, or never captured): the secret is rotated")
	case request != st.RotationRequest:
		return want("rotated for "+v1alpha1.AnnotationRotateSecret+" "+request, fmt.Sprintf("last rotated for %q", st.RotationRequest))
	case !delivered:
		// Adopted, and no rotation asked for yet.
	case st.IssuedAt == nil:
		st.IssuedAt, st.SecretName = &metav1.Time{Time: now}, creds.Name()
	case every != nil && now.Sub(st.IssuedAt.Time) >= every.Duration:
		return want("rotated every "+every.Duration.String(), "issued at "+st.IssuedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// withPolicy applies the reconciler's own policy to an observation: an object found
// by the kind's own traces must be this object's to take (mayTake), and for one in
// Manage mode a due secret rotation is a difference.
func (r *Reconciler[O, S]) withPolicy(o O, refs Refs, obs Observation[S]) (Observation[S], error) {
	if err := r.kind.mayTake(o, obs); err != nil {
		return Observation[S]{}, err
	}
	rot := r.kind.Rotation
	if rot == nil || !obs.Exists || o.GetManagedSpec().ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
		return obs, nil
	}
	id := obs.FoundID
	if id == "" {
		id = o.GetManagedStatus().ExternalID
	}
	obs.Diff = append(obs.Diff, rot.due(o, id, refs.Credentials(), time.Now())...)
	return obs, nil
}

// rotate issues and delivers a secret that obs finds due, before anything else is
// written: until it is delivered, an object this one created keeps the marks by which
// a lost status finds it again. It returns what is left for the adapter to write.
func (r *Reconciler[O, S]) rotate(ctx context.Context, c *hoxton.Client, o O, refs Refs, obs Observation[S]) (Observation[S], error) {
	if r.kind.Rotation == nil || !obs.Diff.Touches(SecretField) {
		return obs, nil
	}
	id := o.GetManagedStatus().ExternalID
	secret, err := r.kind.Rotation.Issue(ctx, c, id)
	if err == nil {
		err = refs.Credentials().Deliver(ctx, id, secret)
	}
	rest := make(Diff, 0, len(obs.Diff))
	for _, d := range obs.Diff {
		if d.Field != SecretField {
			rest = append(rest, d)
		}
	}
	obs.Diff = rest
	return obs, err
}

// read asks the adapter what HoxtonAi holds, with the policy's differences.
func (r *Reconciler[O, S]) read(ctx context.Context, c *hoxton.Client, o O, refs Refs) (Observation[S], error) {
	obs, err := r.kind.Adapter.Observe(ctx, c, o, refs)
	if err != nil {
		return obs, err
	}
	return r.withPolicy(o, refs, obs)
}

// Deliver writes credentials HoxtonAi issued for its object id into the Secret, under
// the keys a Connection's Secret uses, and only then records the delivery in the
// object's status (Rotation.Record), so that the status never claims a secret the
// Secret lacks.
func (c *Credentials) Deliver(ctx context.Context, id, secret string) error {
	if secret == "" {
		kind, _, _ := strings.Cut(c.marker, "/")
		return Terminal("HoxtonAi answered no secret for %s %s", kind, id)
	}
	if err := c.Write(ctx, map[string]string{v1alpha1.SecretKeyClientID: id, v1alpha1.SecretKeyClientSecret: secret}); err != nil {
		return err
	}
	if c.record != nil {
		*c.record = v1alpha1.OAuthClientCredentials{SecretName: c.name, IssuedAt: &metav1.Time{Time: time.Now()},
			RotationRequest: c.owner.GetAnnotations()[v1alpha1.AnnotationRotateSecret]}
	}
	return nil
}
