package kinds_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/connection"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// TestDeletingAConnectionInUseSaysWhatUsesIt: a deleted Connection that Sites still
// use says so (Deleting=True/InUse, and a Warning event naming them) instead of
// hanging silently; it stays Ready, so the Sites can still be deleted in HoxtonAi;
// the condition and the event follow as the Sites go, and the Connection goes after
// the last one.
func TestDeletingAConnectionInUseSaysWhatUsesIt(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	hq := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	annex := siteCase.build(fixture{ns: ns}, "annex").(*v1alpha1.Site)
	create(t, hq)
	create(t, annex)
	waitReady(t, hq)
	waitReady(t, annex)

	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	deleteObject(t, conn)
	deleting := func(want, notWant string) func(*v1alpha1.Connection) bool {
		return func(c *v1alpha1.Connection) bool {
			d := cond(c, connection.TypeDeleting)
			return d != nil && d.Status == metav1.ConditionTrue && d.Reason == connection.ReasonInUse &&
				strings.Contains(d.Message, want) && (notWant == "" || !strings.Contains(d.Message, notWant))
		}
	}
	waitFor(t, conn, "Deleting=True/InUse naming both Sites", func(c *v1alpha1.Connection) bool {
		return deleting("Site annex, Site hq", "")(c)
	})
	if !hasCondition(conn, conditions.TypeReady, metav1.ConditionTrue, conditions.ReasonAvailable) {
		t.Errorf("a Connection waiting for its users is no longer Ready: %s", describeStatus(conn))
	}
	waitInUseEvent(t, ns, "Site annex, Site hq", "")

	deleteObject(t, annex)
	waitGone(t, annex)
	waitFor(t, conn, "Deleting naming the Site left only", deleting("Site hq", "annex"))
	waitInUseEvent(t, ns, "Site hq", "annex")

	deleteObject(t, hq)
	waitGone(t, hq)
	waitGone(t, conn)
}

// waitInUseEvent waits for a Warning InUse event about the Connection "default" of
// ns whose note names want and not notWant.
func waitInUseEvent(t *testing.T, ns, want, notWant string) {
	t.Helper()
	eventually(t, "an InUse event naming "+want, func() (bool, string) {
		evs := events(t, ns, v1alpha1.DefaultConnectionName)
		ok := slices.ContainsFunc(evs, func(e eventsv1.Event) bool {
			return e.Reason == connection.ReasonInUse && e.Type == corev1.EventTypeWarning &&
				strings.Contains(e.Note, want) && (notWant == "" || !strings.Contains(e.Note, notWant))
		})
		var notes []string
		for _, e := range evs {
			notes = append(notes, e.Reason+": "+e.Note)
		}
		return ok, strings.Join(notes, "; ")
	})
}

// TestForegroundDeletionKeepsTheTokenState: a RefreshToken Connection deleted with
// foreground propagation (kubectl delete --cascade=foreground; Argo CD deleting an
// Application) while a Site uses it. The garbage collector deletes the Connection's
// dependents first, its token state Secret among them, and the user's Secret holds
// only the seed, rotated away long ago. The token state must outlive the Connection:
// a manager that restarts meanwhile still deletes the Site in HoxtonAi, then the
// Connection goes, then its token state.
func TestForegroundDeletionKeepsTheTokenState(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newNamespace(t)
	conn, seed := refreshConnection(t, ns)
	waitConnection(t, conn, metav1.ConditionTrue, conditions.ReasonAvailable)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitReady(t, site)
	id := site.Status.ExternalID
	state := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: stateSecretName}}
	eventually(t, "the rotated refresh token in the token state", func() (bool, string) {
		if err := env.Client.Get(ctx, key(state), state); err != nil {
			return false, err.Error()
		}
		rt := string(state.Data[v1alpha1.SecretKeyRefreshToken])
		return rt != "" && rt != seed, "not rotated yet"
	})
	// Without writeBackRefreshToken the user's Secret is never written: it keeps the seed.
	if secretValue(t, ns, "refresh-credentials", v1alpha1.SecretKeyRefreshToken) != seed {
		t.Error("the rotated refresh token was written into the user's Secret without writeBackRefreshToken")
	}

	stopManager(t) // and with it every token it held in memory
	get(t, conn)
	if err := env.Client.Delete(ctx, conn, client.PropagationPolicy(metav1.DeletePropagationForeground)); err != nil {
		t.Fatal(err)
	}
	deleteObject(t, site)
	collectForeground(t, conn)
	if err := env.Client.Get(ctx, key(state), state); apierrors.IsNotFound(err) {
		t.Fatal("the garbage collector deleted the token state while the Connection still waited for its Site")
	} else if err != nil {
		t.Fatal(err)
	}

	restartManager(t, operator.Options{PollInterval: pollInterval})
	waitGone(t, site)
	if got := fakeField(fakeObject(t, "sites", id), "state"); got != "deleted" {
		t.Fatalf("the site is %q in HoxtonAi after its object was deleted, want deleted", got)
	}
	waitGone(t, conn)
	waitGone(t, state)
}

// collectForeground does for owner, deleted with foreground propagation, what the
// garbage collector would (envtest runs none; see "Foreground cascading deletion" in
// the Kubernetes documentation on garbage collection): the API server has marked the
// owner with the finalizer foregroundDeletion; the collector deletes every dependent
// (an object with an ownerReference to the owner's uid; one without dependents of
// its own, in the background), and removes foregroundDeletion once no dependent with
// blockOwnerDeletion is left. The owner's other finalizers then decide when it goes.
// A Connection's only dependents are Secrets of its namespace, which have none.
func collectForeground(t *testing.T, owner client.Object) {
	t.Helper()
	get(t, owner)
	if !slices.Contains(owner.GetFinalizers(), metav1.FinalizerDeleteDependents) {
		t.Fatalf("%s was not marked for foreground deletion: finalizers %v", key(owner), owner.GetFinalizers())
	}
	dependents := func() []corev1.Secret {
		list := &corev1.SecretList{}
		if err := env.Client.List(ctx, list, client.InNamespace(owner.GetNamespace())); err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(list.Items, func(s corev1.Secret) bool {
			return !slices.ContainsFunc(s.OwnerReferences, func(o metav1.OwnerReference) bool { return o.UID == owner.GetUID() })
		})
	}
	for _, s := range dependents() {
		if err := env.Client.Delete(ctx, &s, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "no dependent that blocks the owner's deletion", func() (bool, string) {
		for _, s := range dependents() {
			for _, o := range s.OwnerReferences {
				if o.UID == owner.GetUID() && o.BlockOwnerDeletion != nil && *o.BlockOwnerDeletion {
					return false, "Secret " + s.Name + " blocks it"
				}
			}
		}
		return true, ""
	})
	patch := client.MergeFromWithOptions(owner.DeepCopyObject().(client.Object), client.MergeFromWithOptimisticLock{})
	owner.SetFinalizers(slices.DeleteFunc(owner.GetFinalizers(), func(f string) bool { return f == metav1.FinalizerDeleteDependents }))
	if err := env.Client.Patch(ctx, owner, patch); err != nil {
		t.Fatal(err)
	}
}

// TestConnectionGoneWithoutItsReleaseFreesItsTokenState: a deleted Connection that a
// Site still uses, whose finalizer someone then removes by hand, goes without its
// release; the running manager still removes the token state's finalizer, so that
// the Secret can follow it.
func TestConnectionGoneWithoutItsReleaseFreesItsTokenState(t *testing.T) {
	startManager(t, operator.Options{PollInterval: pollInterval})
	ns := newConnectedNamespace(t)
	waitDefaultConnectionReady(t, ns)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	site.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
	create(t, site)
	waitReady(t, site)
	waitCredentialsCopy(t, ns)
	state := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: stateSecretName}}
	get(t, state)
	if !slices.Contains(state.Finalizers, connection.TokenStateFinalizer) {
		t.Fatalf("the token state carries no %s: %v", connection.TokenStateFinalizer, state.Finalizers)
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	deleteObject(t, conn)
	waitFor(t, conn, "Deleting=True/InUse", func(c *v1alpha1.Connection) bool {
		return hasCondition(c, connection.TypeDeleting, metav1.ConditionTrue, connection.ReasonInUse)
	})
	patch := client.MergeFrom(conn.DeepCopy())
	conn.Finalizers = nil
	if err := env.Client.Patch(ctx, conn, patch); err != nil {
		t.Fatal(err)
	}
	waitGone(t, conn)
	waitFor(t, state, "the token state's finalizer removed", func(s *corev1.Secret) bool {
		return !slices.Contains(s.Finalizers, connection.TokenStateFinalizer)
	})
}

// TestWriteBackRefreshTokenNeedsTheRefreshTokenGrant: the CRD refuses
// writeBackRefreshToken on a Connection of another grant, at apply.
func TestWriteBackRefreshTokenNeedsTheRefreshTokenGrant(t *testing.T) {
	ns := newNamespace(t)
	conn := env.Connection(ns, "copying", "credentials")
	conn.Spec.WriteBackRefreshToken = true
	err := env.Client.Create(ctx, conn)
	if err == nil || !strings.Contains(err.Error(), "writeBackRefreshToken is only for grant RefreshToken") {
		t.Fatalf("a ClientCredentials Connection with writeBackRefreshToken: %v, want refused", err)
	}
	conn = env.Connection(ns, "copying", "credentials")
	conn.Spec.Grant, conn.Spec.WriteBackRefreshToken = v1alpha1.GrantRefreshToken, true
	create(t, conn)
}

// TestSecretDeletedBeforeItsConnection: deleting a namespace or a folder deletes the
// user's Secret, the Connection and the objects together, in any order. Here the
// Secret goes first, so the Connection is found not Ready (SecretNotFound), and the
// Site's deletion waits for it (ReferencesNotReady). Then the Connection is deleted:
// being deleted, it serves the Site with the credentials it kept, and the Site must be
// tried again at once (not at its next poll), deleted in HoxtonAi, and nothing hangs.
func TestSecretDeletedBeforeItsConnection(t *testing.T) {
	startManager(t, operator.Options{PollInterval: time.Hour})
	ns := newConnectedNamespace(t)
	site, id := doomedSite(t, ns)

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName + "-credentials"}}
	deleteObject(t, secret)
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.DefaultConnectionName}}
	waitFor(t, conn, "not Ready without its Secret", func(c *v1alpha1.Connection) bool {
		return hasCondition(c, conditions.TypeReady, metav1.ConditionFalse, conditions.ReasonSecretNotFound)
	})
	deleteObject(t, site)
	waitFor(t, site.(*v1alpha1.Site), "its deletion waiting for the Connection", func(s *v1alpha1.Site) bool {
		return hasCondition(s, conditions.TypeSynced, metav1.ConditionFalse, conditions.ReasonReferencesNotReady)
	})
	deleteObject(t, conn)

	waitGone(t, site)
	if got := fakeField(fakeObject(t, "sites", id), "state"); got != "deleted" {
		t.Fatalf("the site is %q in HoxtonAi after its object was deleted, want deleted", got)
	}
	waitGone(t, conn)
}

// TestConnectionDeletedBeforeItWorkedCreatesNothing: a Connection whose credentials
// never worked (a refresh token rotated away, a wrong secret) deleted with the objects
// that use it, in any order, as a namespace or an Argo CD Application deletion does.
// Once it is being deleted, it serves their deletions only: a live Site reconciled
// through it would record an id and try a create with credentials that cannot
// authenticate, and its own deletion would then need them and hang.
func TestConnectionDeletedBeforeItWorkedCreatesNothing(t *testing.T) {
	startManager(t, operator.Options{PollInterval: longPollInterval})
	ns := newNamespace(t)
	secret := credentialsSecret(ns, "bad-credentials", map[string]string{
		v1alpha1.SecretKeyClientID: hoxtontest.DefaultClientID, v1alpha1.SecretKeyClientSecret: wrongClientSecret,
	})
	create(t, secret)
	conn := env.Connection(ns, v1alpha1.DefaultConnectionName, secret.Name)
	create(t, conn)
	site := siteCase.build(fixture{ns: ns}, "hq").(*v1alpha1.Site)
	create(t, site)
	waitConnection(t, conn, metav1.ConditionFalse, conditions.ReasonCredentialsRejected)
	waitSyncedFalse(t, site, conditions.ReasonReferencesNotReady)

	calls := countCalls()
	deleteObject(t, conn)
	waitFor(t, site, "Synced=False/ReferencesNotReady: the Connection is being deleted", func(s *v1alpha1.Site) bool {
		c := cond(s, conditions.TypeSynced)
		return c != nil && c.Reason == conditions.ReasonReferencesNotReady && strings.Contains(c.Message, "is being deleted")
	})
	if site.Status.ExternalID != "" {
		t.Errorf("the Site recorded id %s through a Connection being deleted", site.Status.ExternalID)
	}
	deleteObject(t, site)
	waitGone(t, site)
	waitGone(t, conn)
	if n := calls.writes(); n != 0 {
		t.Errorf("%d writes to HoxtonAi, want none: %s", n, summary(calls.acceptedWrites()))
	}
}
