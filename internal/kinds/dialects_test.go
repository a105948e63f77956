package kinds_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// dialectSite is a Site using the namespace's Connection "default".
func dialectSite(ns, name string) *v1alpha1.Site {
	return &v1alpha1.Site{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SiteSpec{
			Name: "Dialect site " + ns + "/" + name, Address: "1 High Street, London", TimeZone: "Europe/London",
			OpeningHours: &runtime.RawExtension{Raw: []byte(`{"monday":{"open":"08:00","close":"18:00"}}`)},
		},
	}
}

// dialectConnection creates, in ns, the Secret and the Connection "default" for a
// fake serving dialect, with the grant and keys that dialect takes.
func dialectConnection(t *testing.T, fake *hoxtontest.Server, ns, dialect, refreshToken string) *v1alpha1.Connection {
	t.Helper()
	data := map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
	}
	conn := &v1alpha1.Connection{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName},
		Spec: v1alpha1.ConnectionSpec{
			ConnectionParameters: v1alpha1.ConnectionParameters{
				APIURL: fake.APIURL(), TokenURL: fake.TokenURL(), OrganisationID: fake.OrganisationID(), AllowInsecureHTTP: true,
				TokenDialect: v1alpha1.TokenDialect(dialect), RevocationURL: fake.RevocationURL(),
			},
			CredentialsSecretRef: v1alpha1.LocalReference{Name: "dialect-credentials"},
		},
	}
	if dialect == hoxtontest.DialectCamStreamer {
		conn.Spec.Grant = v1alpha1.GrantRefreshToken
		data[v1alpha1.SecretKeyRefreshToken] = refreshToken
	}
	create(t, credentialsSecret(ns, "dialect-credentials", data))
	create(t, conn)
	return conn
}

// TestDialectConnections: a Connection of each token dialect becomes Ready, a Site
// reconciles through it, and deleting the Connection revokes its tokens (the fake then
// refuses them), CAM2 having no revocation.
func TestDialectConnections(t *testing.T) {
	for _, dialect := range []string{hoxtontest.DialectStandard, hoxtontest.DialectCAM2, hoxtontest.DialectCamStreamer} {
		t.Run(dialect, func(t *testing.T) {
			fake := hoxtontest.NewServer(hoxtontest.Options{TokenDialect: dialect})
			t.Cleanup(fake.Close)
			startManager(t, operator.Options{PollInterval: pollInterval})
			ns := newNamespace(t)
			conn := dialectConnection(t, fake, ns, dialect, fake.IssueRefreshToken(hoxtontest.DefaultClientID))
			site := dialectSite(ns, "hq")
			create(t, site)
			waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
			waitReady(t, site)
			if got := fake.Objects("sites"); len(got) != 1 {
				t.Fatalf("the dialect's fake holds %d sites, want 1", len(got))
			}
			if fake.LiveAccessTokens() == 0 {
				t.Fatal("no live access token at the fake")
			}

			deleteObject(t, site)
			waitGone(t, site)
			deleteObject(t, conn)
			waitGone(t, conn)
			if dialect == hoxtontest.DialectCAM2 {
				consistently(t, 2*pollInterval, "no revocation for CAM2", func() (bool, string) {
					return fake.Revocations() == 0, "a CAM2 token was revoked"
				})
				return
			}
			eventually(t, "the deleted Connection's tokens revoked at the fake", func() (bool, string) {
				return fake.Revocations() > 0 && fake.LiveAccessTokens() == 0, "tokens still live"
			})
		})
	}
}

// TestCamStreamerErrorAt200IsAReadableCondition: CamStreamer answers a bad refresh
// token with HTTP 200 and {"error": ...}; the Connection reports that message.
func TestCamStreamerErrorAt200IsAReadableCondition(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{TokenDialect: hoxtontest.DialectCamStreamer})
	t.Cleanup(fake.Close)
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	conn := dialectConnection(t, fake, ns, hoxtontest.DialectCamStreamer, "not-a-valid-refresh-token")
	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonCredentialsRejected)
	c := cond(conn, conditions.TypeReady)
	if !strings.Contains(c.Message, "Invalid refresh token") || !strings.Contains(c.Message, "HTTP 200") {
		t.Errorf("Ready message %q does not carry the server's error", c.Message)
	}
	if strings.Contains(c.Message, "not-a-valid-refresh-token") {
		t.Errorf("Ready message %q reveals the refresh token", c.Message)
	}
}

// TestDialectFieldsValidated: the API server refuses dialect settings that cannot work.
func TestDialectFieldsValidated(t *testing.T) {
	ns := newNamespace(t)
	for name, mutate := range map[string]func(*v1alpha1.Connection){
		"unknown dialect":           func(c *v1alpha1.Connection) { c.Spec.TokenDialect = "OAuth1" },
		"refreshURL for Standard":   func(c *v1alpha1.Connection) { c.Spec.RefreshURL = "https://auth.example/refresh_token/" },
		"revocationURL for CAM2":    func(c *v1alpha1.Connection) { c.Spec.TokenDialect, c.Spec.RevocationURL = "CAM2", "https://x/revoke" },
		"CAM2 with a password":      func(c *v1alpha1.Connection) { c.Spec.TokenDialect, c.Spec.Grant = "CAM2", v1alpha1.GrantPassword },
		"CamStreamer without token": func(c *v1alpha1.Connection) { c.Spec.TokenDialect = "CamStreamer" },
	} {
		c := env.Connection(ns, "invalid", "whatever")
		mutate(c)
		if err := env.Client.Create(ctx, c); err == nil {
			t.Errorf("%s: accepted", name)
			_ = env.Client.Delete(ctx, c)
		}
	}
}

// refreshConnection creates, in ns, a RefreshToken Connection "default" to the
// suite's fake and returns it with the first refresh token.
func refreshConnection(t *testing.T, ns string) (*v1alpha1.Connection, string) {
	t.Helper()
	first := env.API.IssueRefreshToken(hoxtontest.DefaultClientID)
	create(t, credentialsSecret(ns, "refresh-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
		v1alpha1.SecretKeyRefreshToken: first,
	}))
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, "refresh-credentials")
	conn.Spec.Grant = v1alpha1.GrantRefreshToken
	create(t, conn)
	return conn, first
}

// stateSecretName is the token state Secret of the Connection "default".
const stateSecretName = v1alpha1.DefaultConnectionName + "-hoxton-token"

// stateWrites intercepts the manager's writes of token state Secrets that save a
// rotated refresh token (or, with copies set, every write of a token state Secret,
// the copies of the credentials too).
type stateWrites struct {
	copies bool
	fail   atomic.Bool             // every write fails
	before func(obj client.Object) // runs once before the first write
	once   atomic.Bool
	failed atomic.Int32
}

var errWriteRefused = errors.New("injected: the token state write did not happen")

func (w *stateWrites) newClient(cfg *rest.Config, opts client.Options) (client.Client, error) {
	wc, err := client.NewWithWatch(cfg, opts)
	if err != nil {
		return nil, err
	}
	intercept := func(obj client.Object) error {
		s, ok := obj.(*corev1.Secret)
		if !ok || s.Labels[connection.LabelTokenState] != "true" || (!w.copies && len(s.Data["refreshToken"]) == 0) {
			return nil
		}
		if w.before != nil && w.once.CompareAndSwap(false, true) {
			w.before(obj)
		}
		if w.fail.Load() {
			w.failed.Add(1)
			return errWriteRefused
		}
		return nil
	}
	return interceptor.NewClient(wc, interceptor.Funcs{
		Create: func(ctx context.Context, cl client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if err := intercept(obj); err != nil {
				return err
			}
			return cl.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, cl client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			if err := intercept(obj); err != nil {
				return err
			}
			return cl.Update(ctx, obj, opts...)
		},
	}), nil
}

// reuseUntilUsed makes the suite's fake keep a rotated refresh token valid until
// its successor is used, for the length of the test.
func reuseUntilUsed(t *testing.T) {
	env.API.SetReuseRefreshTokenUntilUsed(true)
	t.Cleanup(func() { env.API.SetReuseRefreshTokenUntilUsed(false) })
}

// TestCrashBetweenRotationAndSave: the manager crashes after the authorization
// server rotated the refresh token and before the new one was saved. Because the new
// access token is not used before the save, the old refresh token still works, and
// the restarted manager gets in with it. While the save fails, the Connection says so.
func TestCrashBetweenRotationAndSave(t *testing.T) {
	reuseUntilUsed(t)
	writes := &stateWrites{}
	writes.fail.Store(true)
	startManager(t, operator.Options{PollInterval: pollInterval, NewClient: writes.newClient})
	ns := newNamespace(t)
	conn, _ := refreshConnection(t, ns)
	waitFor(t, conn, "RefreshTokenSaved=False", func(c *v1alpha1.Connection) bool {
		return hasCondition(c, connection.TypeRefreshTokenSaved, metav1.ConditionFalse, connection.ReasonSaveFailing)
	})
	if writes.failed.Load() == 0 {
		t.Fatal("no state write was attempted")
	}
	stopManager(t)

	restartManager(t, operator.Options{PollInterval: pollInterval})
	site := dialectSite(ns, "after-crash")
	create(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	waitReady(t, site)
	waitFor(t, conn, "RefreshTokenSaved=True", func(c *v1alpha1.Connection) bool {
		return hasCondition(c, connection.TypeRefreshTokenSaved, metav1.ConditionTrue, connection.ReasonSaved)
	})
	if secretValue(t, ns, stateSecretName, "refreshToken") == "" {
		t.Error("the token state Secret holds no refresh token")
	}
}

// TestConflictingStateWrite: another writer creates the token state Secret (with a
// stale token) just before the manager's first save. The save is retried from what
// is there and wins; a restarted manager logs in with the saved token.
func TestConflictingStateWrite(t *testing.T) {
	writes := &stateWrites{}
	writes.before = func(obj client.Object) {
		// Another writer gets there first: it creates the Secret, or changes it
		// after the manager read it, so the manager's write meets a conflict.
		other := obj.DeepCopyObject().(*corev1.Secret)
		other.ResourceVersion = ""
		other.Data = map[string][]byte{"refreshToken": []byte("stale-token-of-another-writer"), "lineage": other.Data["lineage"]}
		err := env.Client.Create(ctx, other)
		if apierrors.IsAlreadyExists(err) {
			current := &corev1.Secret{}
			if err = env.Client.Get(ctx, client.ObjectKeyFromObject(other), current); err == nil {
				current.Data["refreshToken"] = other.Data["refreshToken"]
				err = env.Client.Update(ctx, current)
			}
		}
		if err != nil {
			t.Errorf("the conflicting write: %v", err)
		}
	}
	startManager(t, operator.Options{PollInterval: pollInterval, NewClient: writes.newClient})
	ns := newNamespace(t)
	conn, _ := refreshConnection(t, ns)
	// The conflict costs a retry of the save with backoff: longer than the usual wait
	// on a loaded machine.
	eventuallyWithin(t, 90*time.Second, "Ready=True/Available after the conflict", func() (bool, string) {
		get(t, conn)
		return hasCondition(conn, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable) && conn.Status.ObservedGeneration == conn.Generation, describeStatus(conn)
	})
	eventually(t, "the manager's token in the state Secret", func() (bool, string) {
		v := secretValue(t, ns, stateSecretName, "refreshToken")
		return v != "" && v != "stale-token-of-another-writer", "still the other writer's token"
	})
	stopManager(t)
	restartManager(t, operator.Options{PollInterval: pollInterval})
	site := dialectSite(ns, "after-conflict")
	create(t, site)
	waitReady(t, site)
}

// TestArgoCDStyleRevert: a GitOps tool puts the Secret back to the refresh token in
// Git, which the server has since rotated away. The Connection keeps working, also
// after a restart: the token state Secret, not the user's Secret, holds the token in use.
func TestArgoCDStyleRevert(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	conn, first := refreshConnection(t, ns)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	eventually(t, "a rotation saved", func() (bool, string) {
		v := secretValue(t, ns, stateSecretName, "refreshToken")
		return v != "" && v != first, "no rotated token saved"
	})
	if env.API.RefreshTokenValid(first) {
		t.Fatal("the fake still accepts the first refresh token; the revert would prove nothing")
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "refresh-credentials"}}
	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyRefreshToken] = []byte(first)
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels["argocd.argoproj.io/instance"] = "hoxton" // what a sync leaves
	})
	site := dialectSite(ns, "after-revert")
	create(t, site)
	waitReady(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)

	stopManager(t)
	restartManager(t, operator.Options{PollInterval: pollInterval})
	update(t, site, func(s *v1alpha1.Site) { s.Spec.Address = "2 Low Road, Leeds" })
	waitReady(t, site)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}

// TestReplacedCredentialsAreRevoked: new credentials in a Connection's Secret revoke
// the tokens the old ones produced (RFC 7009, Standard with revocationURL).
func TestReplacedCredentialsAreRevoked(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{Clients: []hoxtontest.OAuthClient{
		{ID: hoxtontest.DefaultClientID, Secret: hoxtontest.DefaultClientSecret}, {ID: "second-client", Secret: "second-secret"},
	}})
	t.Cleanup(fake.Close)
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	conn := dialectConnection(t, fake, ns, hoxtontest.DialectStandard, "")
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	if fake.Revocations() != 0 {
		t.Fatal("a revocation before any change")
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dialect-credentials"}}
	update(t, secret, func(s *corev1.Secret) {
		s.Data[v1alpha1.SecretKeyClientID] = []byte("second-client")
		s.Data[v1alpha1.SecretKeyClientSecret] = []byte("second-secret")
	})
	eventually(t, "the old credentials' token revoked", func() (bool, string) {
		return fake.Revocations() == 1 && fake.LiveAccessTokens() == 1, "not revoked yet"
	})
	waitEvent(t, ns, conn.Name, connection.ReasonRevoked)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
}

// TestFailedRevocationNeverBlocksDeletion: a revocation endpoint that fails makes a
// Warning event; the Connection is deleted all the same.
func TestFailedRevocationNeverBlocksDeletion(t *testing.T) {
	fake := hoxtontest.NewServer(hoxtontest.Options{})
	t.Cleanup(fake.Close)
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	create(t, credentialsSecret(ns, "dialect-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: hoxtontest.DefaultClientSecret,
	}))
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, "dialect-credentials")
	conn.Spec.APIURL, conn.Spec.TokenURL = fake.APIURL(), fake.TokenURL()
	conn.Spec.RevocationURL = fake.URL() + "/no-revocation-here"
	create(t, conn)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	deleteObject(t, conn)
	waitGone(t, conn)
	ev := waitEvent(t, ns, conn.Name, connection.ReasonRevocationFailed)
	if ev.Type != corev1.EventTypeWarning || !strings.Contains(ev.Note, "404") {
		t.Errorf("event %s %q, want a Warning naming the failure", ev.Type, ev.Note)
	}
}

// TestChangedConnectionWaitsForItsCheck: after a Connection's settings change, the
// objects using it wait for the check of the new settings; settings that fail it are
// never used for their writes.
func TestChangedConnectionWaitsForItsCheck(t *testing.T) {
	// Another service: it issues tokens to the same client, but knows no such organisation.
	other := hoxtontest.NewServer(hoxtontest.Options{OrganisationID: "7d1f7d3c-2a8e-4a51-9b1e-5d7f1b1c2e3f"})
	t.Cleanup(other.Close)
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	site := dialectSite(ns, "stays")
	create(t, site)
	waitReady(t, site)

	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	update(t, conn, func(c *v1alpha1.Connection) { c.Spec.APIURL, c.Spec.TokenURL = other.APIURL(), other.TokenURL() })
	update(t, site, func(s *v1alpha1.Site) { s.Spec.Address = "2 Low Road, Leeds" })
	waitFor(t, conn, "the new settings checked and refused", func(c *v1alpha1.Connection) bool {
		return c.Status.ObservedGeneration == c.Generation && hasCondition(c, conditions.TypeReady, metav1.ConditionFalse, "")
	})
	consistently(t, 2*pollInterval, "no Site write through the unchecked settings", func() (bool, string) {
		for _, r := range other.Requests() {
			if strings.HasPrefix(r.Path, "/sites") {
				return false, r.Method + " " + r.Path + " reached the other service"
			}
		}
		return true, ""
	})
}
