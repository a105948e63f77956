package kinds

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// oauthClientKind describes OAuthClient to the generic reconciler. The service
// chooses client ids and returns the secret once, on the 201, so the adapter is
// hand-written: it delivers the secret into the object's credentials Secret before
// the status records success, and rotates the secret when the Secret lacks the one
// this object delivered (lost, or never captured because of a crash between the 201
// and the write), when the rotate-secret annotation changes, and on the object's
// schedule. Clients are never found by their name, and one a Connection uses is never
// managed (ConnectionClientIDs).
func oauthClientKind() managed.Kind[*v1alpha1.OAuthClient, *hoxton.OAuthClient] {
	k := managed.Kind[*v1alpha1.OAuthClient, *hoxton.OAuthClient]{
		Name:                "OAuthClient",
		New:                 func() *v1alpha1.OAuthClient { return &v1alpha1.OAuthClient{} },
		NewList:             func() client.ObjectList { return &v1alpha1.OAuthClientList{} },
		Adapter:             oauthClientAdapter{},
		IDs:                 managed.ServerAssignedID,
		CredentialsSecret:   func(o *v1alpha1.OAuthClient) string { return o.Spec.WriteCredentialsToSecretRef.Name },
		ConnectionClientIDs: true,
	}
	k.Export = oauthClientExport()
	return k
}

// oauthClientAdapter connects OAuthClient to the OAuth client endpoints.
type oauthClientAdapter struct{}

// secretField names the delivery of the secret in differences; their values say
// where and why, never what.
const secretField = "clientSecret"

// pendingNamePrefix starts the name a client is created under: the create's marker,
// which only that create can produce, until the client is renamed as the spec says.
const pendingNamePrefix = "hoxton-operator: being created "

func (oauthClientAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, refs managed.Refs) (managed.Observation[*hoxton.OAuthClient], error) {
	creds := refs.Credentials()
	cl, err := findOAuthClient(ctx, c, o, creds)
	if managed.Absent(err) || (err == nil && cl == nil) {
		return managed.Observation[*hoxton.OAuthClient]{}, nil
	}
	if err != nil {
		return managed.Observation[*hoxton.OAuthClient]{}, err
	}
	// The secret the service reads back is dropped at once: the Secret is the one
	// place it is kept.
	cl.ClientSecret = ""
	diff := managed.CompareFields(oauthClientFields, oauthClientWanted(o), *cl)
	if o.Spec.ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
		diff = append(diff, deliveryDiff(o, cl.ClientID, creds)...)
	}
	return managed.Observation[*hoxton.OAuthClient]{Exists: true, FoundID: cl.ClientID, Observed: cl, Diff: diff}, nil
}

// findOAuthClient reads the client this object manages. Before the object has recorded
// one, only traces this object's own create leaves lead to a client: the credentials
// Secret's clientID, trusted only when the Secret also holds that client's secret
// (whoever wrote it had the credentials already), or the marker written before the
// create, under which the client is created (a crash may have lost the 201). A
// client is never found by its name: that would take over any client so named. The
// reconciler then checks that no other object manages what was found.
func findOAuthClient(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, creds *managed.Credentials) (*hoxton.OAuthClient, error) {
	if id := o.Status.ExternalID; id != "" {
		return c.GetOAuthClient(ctx, id)
	}
	if id := creds.Value(v1alpha1.SecretKeyClientID); id != "" {
		cl, err := c.GetOAuthClient(ctx, id)
		switch {
		case managed.Absent(err):
		case err != nil:
			return nil, err
		case !holdsSecretOf(creds, cl):
			return nil, managed.Terminal("Secret %q names OAuth client %s but does not hold its secret, so this object did not write it "+
				"and does not take the client over; remove the Secret's %s, or adopt the client with spec.externalID and adoptExisting",
				creds.Name(), id, v1alpha1.SecretKeyClientID)
		default:
			return cl, nil
		}
	}
	marker := creds.CreateMarker()
	if marker == "" {
		return nil, nil
	}
	all, err := c.ListOAuthClients(ctx)
	if err != nil {
		return nil, err
	}
	for _, cl := range all {
		if cl.Name == marker {
			return &cl, nil
		}
	}
	return nil, nil
}

// holdsSecretOf reports whether the Secret holds cl's current secret.
func holdsSecretOf(creds *managed.Credentials, cl *hoxton.OAuthClient) bool {
	held := creds.Value(v1alpha1.SecretKeyClientSecret)
	return held != "" && subtle.ConstantTimeCompare([]byte(held), []byte(cl.ClientSecret)) == 1
}

// deliveryDiff says why the secret must be rotated, if it must: the Secret lacks the
// one this object delivered, the rotate-secret annotation asks for it, or the schedule
// is due. An adopted client's secret is the adopter's to ask for: until the annotation
// does, the Secret holds none, and nothing is rotated.
func deliveryDiff(o *v1alpha1.OAuthClient, id string, creds *managed.Credentials) managed.Diff {
	st := &o.Status.Credentials
	want := func(want, have string) managed.Diff {
		return managed.Diff{{Field: secretField, Want: want, Have: have}}
	}
	delivered := creds.Value(v1alpha1.SecretKeyClientID) == id && creds.Value(v1alpha1.SecretKeyClientSecret) != ""
	switch request := o.Annotations[v1alpha1.AnnotationRotateSecret]; {
	case !delivered && (o.Spec.ExternalID == "" || st.IssuedAt != nil):
		return want("delivered to Secret "+creds.Name(), "not in it (lost, or never captured): the secret is rotated")
	case request != st.RotationRequest:
		return want("rotated for "+v1alpha1.AnnotationRotateSecret+" "+request, fmt.Sprintf("last rotated for %q", st.RotationRequest))
	case !delivered:
		// Adopted, and no rotation asked for yet.
	case st.IssuedAt == nil:
		// Delivered by a reconcile whose status write was lost: the schedule starts now.
		now := metav1.Now()
		st.IssuedAt, st.SecretName = &now, creds.Name()
	case o.Spec.RotateEvery != nil && time.Since(st.IssuedAt.Time) >= o.Spec.RotateEvery.Duration:
		return want("rotated every "+o.Spec.RotateEvery.Duration.String(), "issued at "+st.IssuedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Create creates the client under a marker name, written to the Secret first, so that
// a crash losing the 201 leaves a trace only this create matches (findOAuthClient);
// once the secret is delivered, the client takes the name of the spec.
func (oauthClientAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, refs managed.Refs) (managed.Created, error) {
	creds := refs.Credentials()
	marker := pendingNamePrefix + uuid.NewString()
	if err := creds.MarkCreate(ctx, marker); err != nil {
		return managed.Created{}, err
	}
	in := oauthClientInput(o, "")
	in.Name = marker
	cl, err := c.PutOAuthClient(ctx, in)
	if err != nil {
		return managed.Created{}, err
	}
	if cl == nil || cl.ClientID == "" {
		return managed.Created{}, managed.Terminal("creating the OAuth client answered no client id")
	}
	// An error here loses the id too: the next reconcile finds the client by the
	// marker, rotates the secret it could not deliver and renames it.
	if err := deliver(ctx, o, creds, cl.ClientID, cl.ClientSecret); err != nil {
		return managed.Created{}, err
	}
	_, err = c.PutOAuthClient(ctx, oauthClientInput(o, cl.ClientID))
	return managed.Created{ID: cl.ClientID}, err
}

// Update rotates and delivers the secret first: until it is delivered, a client this
// object created keeps its marker name, by which a lost status finds it again.
func (oauthClientAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, refs managed.Refs, obs managed.Observation[*hoxton.OAuthClient]) error {
	id := obs.Observed.ClientID
	if obs.Diff.Touches(secretField) {
		cl, err := c.RotateOAuthClientSecret(ctx, id)
		if err != nil {
			return err
		}
		if err := deliver(ctx, o, refs.Credentials(), id, cl.ClientSecret); err != nil {
			return err
		}
	}
	if obs.Diff.Touches("name", "grantTypes", "callbacks") {
		_, err := c.PutOAuthClient(ctx, oauthClientInput(o, id))
		return err
	}
	return nil
}

// deliver writes the credentials into the Secret, under the keys a Connection's Secret
// uses, and only then records in the status that they were issued.
func deliver(ctx context.Context, o *v1alpha1.OAuthClient, creds *managed.Credentials, id, secret string) error {
	if secret == "" {
		return managed.Terminal("HoxtonAi answered no client secret for OAuth client %s", id)
	}
	if err := creds.Write(ctx, map[string]string{v1alpha1.SecretKeyClientID: id, v1alpha1.SecretKeyClientSecret: secret}); err != nil {
		return err
	}
	now := metav1.Now()
	o.Status.Credentials = v1alpha1.OAuthClientCredentials{SecretName: creds.Name(), IssuedAt: &now,
		RotationRequest: o.Annotations[v1alpha1.AnnotationRotateSecret]}
	return nil
}

// Delete removes the client (the API removes clients outright); its Secret is left,
// holding credentials that no longer work.
func (oauthClientAdapter) Delete(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient) error {
	return c.DeleteOAuthClient(ctx, o.Status.ExternalID)
}

func oauthClientInput(o *v1alpha1.OAuthClient, id string) hoxton.OAuthClientInput {
	w := oauthClientWanted(o)
	return hoxton.OAuthClientInput{ClientID: id, Name: w.Name, GrantTypes: w.GrantTypes, Callbacks: w.Callbacks}
}

func oauthClientWanted(o *v1alpha1.OAuthClient) hoxton.OAuthClient {
	grants := make([]hoxton.GrantType, len(o.Spec.GrantTypes))
	for i, g := range o.Spec.GrantTypes {
		grants[i] = hoxton.GrantType(g)
	}
	return hoxton.OAuthClient{Name: o.Spec.Name, GrantTypes: grants, Callbacks: o.Spec.Callbacks}
}

var oauthClientFields = []managed.Field[hoxton.OAuthClient]{
	managed.F("name", func(c hoxton.OAuthClient) any { return c.Name }),
	managed.F("grantTypes", func(c hoxton.OAuthClient) any { return sortedSet(c.GrantTypes) }),
	managed.F("callbacks", func(c hoxton.OAuthClient) any { return sortedSet(c.Callbacks) }),
}
