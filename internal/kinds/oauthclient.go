package kinds

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// oauthClientKind describes OAuthClient to the generic reconciler. The service
// chooses client ids and returns the secret once, on the 201, so the adapter is
// hand-written: it delivers the secret into the object's credentials Secret before
// the status records success, and issues a new one when the reconciler finds it due
// (managed.Rotation). Clients are never found by their name, and one a Connection
// uses is never managed (ConnectionClientIDs).
func oauthClientKind() managed.Kind[*v1alpha1.OAuthClient, hoxton.OAuthClient] {
	return managed.Kind[*v1alpha1.OAuthClient, hoxton.OAuthClient]{
		Name:              "OAuthClient",
		New:               func() *v1alpha1.OAuthClient { return &v1alpha1.OAuthClient{} },
		NewList:           func() client.ObjectList { return &v1alpha1.OAuthClientList{} },
		Adapter:           oauthClientAdapter{},
		IDs:               managed.ServerAssignedID,
		CredentialsSecret: func(o *v1alpha1.OAuthClient) string { return o.Spec.WriteCredentialsToSecretRef.Name },
		Rotation: &managed.Rotation[*v1alpha1.OAuthClient]{
			Record: func(o *v1alpha1.OAuthClient) *v1alpha1.OAuthClientCredentials { return &o.Status.Credentials },
			Every:  func(o *v1alpha1.OAuthClient) *metav1.Duration { return o.Spec.RotateEvery },
			Issue: func(ctx context.Context, c *hoxton.Client, id string) (string, error) {
				cl, err := c.RotateOAuthClientSecret(ctx, id)
				return valueOr(cl, hoxton.OAuthClient{}).ClientSecret, err
			},
		},
		ConnectionClientIDs: true,
		Export:              oauthClientExport(),
	}
}

// oauthClientAdapter connects OAuthClient to the OAuth client endpoints.
type oauthClientAdapter struct{}

// pendingNamePrefix starts the name a client is created under: the create's marker,
// which only that create can produce, until the client is renamed as the spec says.
const pendingNamePrefix = "hoxton-operator: being created "

func (oauthClientAdapter) Observe(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, refs managed.Refs) (managed.Observation[hoxton.OAuthClient], error) {
	cl, err := findOAuthClient(ctx, c, o, refs.Credentials())
	if err != nil || cl == nil {
		return managed.Observation[hoxton.OAuthClient]{}, hoxton.IgnoreGone(err)
	}
	// The secret the service reads back is dropped at once: the Secret is the one
	// place it is kept.
	cl.ClientSecret = ""
	return managed.Observation[hoxton.OAuthClient]{Exists: true, FoundID: cl.ClientID, Observed: *cl,
		Diff: managed.CompareFields(oauthClientFields, oauthClientWanted(o), *cl)}, nil
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
		case !creds.Holds(v1alpha1.SecretKeyClientSecret, cl.ClientSecret):
			return nil, managed.Terminal("Secret %q names OAuth client %s but does not hold its secret, so this object did not write it "+
				"and does not take the client over; remove the Secret's %s, or adopt the client with spec.externalID and adoptExisting",
				creds.Name(), id, v1alpha1.SecretKeyClientID)
		default:
			return cl, nil
		}
	}
	if creds.CreateMarker() == "" {
		return nil, nil
	}
	all, err := c.ListOAuthClients(ctx)
	for i := range all {
		if all[i].Name == creds.CreateMarker() {
			return &all[i], nil
		}
	}
	return nil, err
}

// Create creates the client under a marker name, written to the Secret first, so that
// a crash losing the 201 leaves a trace only this create matches (findOAuthClient);
// once the secret is delivered, the client takes the name of the spec.
func (oauthClientAdapter) Create(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, refs managed.Refs) (managed.Created, *hoxton.OAuthClient, error) {
	creds := refs.Credentials()
	marker, err := creds.MarkCreate(ctx, pendingNamePrefix)
	if err != nil {
		return managed.Created{}, nil, err
	}
	in := oauthClientInput(o, "")
	in.Name = marker
	cl, err := c.PutOAuthClient(ctx, in)
	if err != nil || cl == nil || cl.ClientID == "" {
		return managed.Created{}, nil, err // no id: the reconciler refuses the answer
	}
	// An error here loses the id too: the next reconcile finds the client by the
	// marker, rotates the secret it could not deliver and renames it.
	if err := creds.Deliver(ctx, cl.ClientID, cl.ClientSecret); err != nil {
		return managed.Created{}, nil, err
	}
	_, err = c.PutOAuthClient(ctx, oauthClientInput(o, cl.ClientID))
	return managed.Created{ID: cl.ClientID}, nil, err
}

// Update writes the fields; a due secret the reconciler has issued and delivered
// first (managed.Rotation).
func (oauthClientAdapter) Update(ctx context.Context, c *hoxton.Client, o *v1alpha1.OAuthClient, _ managed.Refs, obs managed.Observation[hoxton.OAuthClient]) (*hoxton.OAuthClient, error) {
	_, err := c.PutOAuthClient(ctx, oauthClientInput(o, obs.Observed.ClientID))
	return nil, err
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
	return hoxton.OAuthClient{Name: o.Spec.Name, GrantTypes: convertAll[hoxton.GrantType](o.Spec.GrantTypes), Callbacks: o.Spec.Callbacks}
}

var oauthClientFields = []managed.Field[hoxton.OAuthClient]{
	managed.F("name", func(c hoxton.OAuthClient) any { return c.Name }),
	managed.F("grantTypes", func(c hoxton.OAuthClient) any { return sortedSet(c.GrantTypes) }),
	managed.F("callbacks", func(c hoxton.OAuthClient) any { return sortedSet(c.Callbacks) }),
}
