package managed

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// TestPlanPredictsTheIDTheReconcilerAssigns: one table feeds both the plan and the
// reconciler, and the id the plan shows is the one the reconciler hands the adapter
// at its first call, before any write.
func TestPlanPredictsTheIDTheReconcilerAssigns(t *testing.T) {
	const adopted = "2b9d5f0e-7c1a-4e3b-9f6d-8a0c2e4b6d13"
	for _, tc := range []struct {
		name   string
		site   *v1alpha1.Site
		ids    IDPolicy
		wantID string
	}{
		{"derived", newSite("hq"), DeterministicID, DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", testNS, "hq")},
		{"derived from another name", newSite("shop"), DeterministicID, DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", testNS, "shop")},
		{"adopted by spec.externalID", newSite("hq", func(s *v1alpha1.Site) { s.Spec.ExternalID = adopted }), DeterministicID, adopted},
		{"chosen by the server", newSite("hq"), ServerAssignedID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.site.DeepCopy())
			e.r.kind.IDs = tc.ids
			if tc.ids == ServerAssignedID {
				e.ad.ObserveFn = func(o *v1alpha1.Site) (obsT, error) { return obsT{Exists: o.Status.ExternalID != ""}, nil }
				e.ad.CreateFn = func(*v1alpha1.Site) (string, error) { return "server-chosen", nil }
			}
			if _, err := e.reconcile(tc.site.Name); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			var assigned []string
			for _, c := range e.ad.calls {
				if c.op != "resolve" {
					assigned = append(assigned, c.id)
				}
			}
			if len(assigned) == 0 {
				t.Fatalf("the reconciler called the adapter for no id; calls %v", e.ad.ops())
			}

			planned, err := Plan(t.Context(), e.r.kind, nil, tc.site, PlanInput{Organisation: testOrg, IDNamespace: DefaultIDNamespace})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if planned.ID != tc.wantID || assigned[0] != tc.wantID {
				t.Errorf("plan predicts %q, the reconciler assigned %q, want %q", planned.ID, assigned[0], tc.wantID)
			}
			if got := IDOf(e.r.kind, tc.site, testOrg, DefaultIDNamespace); got != planned.ID {
				t.Errorf("IDOf = %q, Plan = %q", got, planned.ID)
			}
			if tc.site.Status.ExternalID != "" {
				t.Error("Plan changed the manifest it was given")
			}
		})
	}
}

// plannedGroups plans group manifests in order against the fake API, as hoxtonctl
// diff does: each reference resolves to the target as planned before it.
type plannedGroups struct {
	api     *fakeAPI
	secrets map[v1alpha1.SecretKeySelector]string
	done    map[string]Object
}

func (p *plannedGroups) plan(t *testing.T, g *v1alpha1.NotificationGroup) (Planned, error) {
	t.Helper()
	out, err := Plan(t.Context(), groupKind(), p.api.c, g, PlanInput{
		Organisation: p.api.srv.OrganisationID(), IDNamespace: DefaultIDNamespace, Secrets: p.secrets,
		Lookup: func(kind, namespace, name string) (Object, bool) {
			o, ok := p.done[kind+"/"+types.NamespacedName{Namespace: namespace, Name: name}.String()]
			return o, ok
		},
	})
	if err == nil {
		p.done["NotificationGroup/"+types.NamespacedName{Namespace: g.Namespace, Name: g.Name}.String()] = out.Object
	}
	return out, err
}

// apply writes what the plan says, through the declaration, so that the next plan
// sees it.
func (p *plannedGroups) apply(t *testing.T, planned Planned) {
	t.Helper()
	g := planned.Object.(*v1alpha1.NotificationGroup)
	refs, err := resolveLocal(g, groupKind().References, func(kind, ns, name string) (Object, bool) {
		o, ok := p.done[kind+"/"+ns+"/"+name]
		return o, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	refs.secrets = p.secrets
	if _, _, err := groupDecl().Create(t.Context(), p.api.c, g, refs); err != nil {
		t.Fatalf("applying %s: %v", g.Name, err)
	}
}

func TestPlanOfAnUpsertedKind(t *testing.T) {
	api := newFakeAPI(t)
	p := &plannedGroups{api: api, secrets: map[v1alpha1.SecretKeySelector]string{webhookURL: "https://hooks.example/T0KEN"},
		done: map[string]Object{}}
	childID := DeterministicIDFor(DefaultIDNamespace, api.srv.OrganisationID(), "NotificationGroup", testNS, "child")

	child, err := p.plan(t, newGroup("child", ""))
	if err != nil {
		t.Fatal(err)
	}
	parent, err := p.plan(t, newGroup("parent", "", "child"))
	if err != nil {
		t.Fatal(err)
	}
	if child.ID != childID || child.Action != ActionCreate {
		t.Errorf("child: %s %s, want create %s", child.Action, child.ID, childID)
	}
	wantDiff(t, "parent to create", parent.Diff,
		`name: want "Group parent", have ""; webhook: differs (values not shown); childGroups: add `+childID)
	if parent.Action != ActionCreate || len(parent.Notes) != 0 {
		t.Errorf("parent: %s, notes %q; want create without notes", parent.Action, parent.Notes)
	}

	p.apply(t, child)
	p.apply(t, parent)
	api.srv.ResetRequests()
	if again, err := p.plan(t, newGroup("parent", "", "child")); err != nil || again.Action != ActionNone || len(again.Diff) != 0 {
		t.Errorf("plan after applying = %s %v, %v; want unchanged", again.Action, again.Diff, err)
	}
	if n := api.srv.CountWrites(); n != 0 {
		t.Errorf("a plan wrote %d times", n)
	}

	renamed := newGroup("parent", "", "child")
	renamed.Spec.Name = "Renamed"
	if got, err := p.plan(t, renamed); err != nil || got.Action != ActionUpdate {
		t.Errorf("plan of a renamed group = %s, %v; want update", got.Action, err)
	} else {
		wantDiff(t, "renamed", got.Diff, `name: want "Renamed", have "Group parent"`)
	}

	renamed.Annotations = map[string]string{AnnotationPaused: "true"}
	if got, _ := p.plan(t, renamed); got.Action != ActionPaused || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], AnnotationPaused) {
		t.Errorf("plan of a paused manifest = %s, notes %q; want paused, naming the annotation", got.Action, got.Notes)
	}

	observed := newGroup("parent", "", "child")
	observed.Spec.Name = "Renamed"
	observed.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
	if got, err := p.plan(t, observed); err != nil || got.Action != ActionObserve || !got.Diff.Touches("name") {
		t.Errorf("plan of an ObserveOnly manifest = %s %v, %v; want observe with the name's difference", got.Action, got.Diff, err)
	}
}

// TestPlanWithoutTheWebhookSecret: a Secret not among the manifests cannot be
// compared, so the plan says so and drops the difference it cannot know.
func TestPlanWithoutTheWebhookSecret(t *testing.T) {
	api := newFakeAPI(t)
	p := &plannedGroups{api: api, secrets: map[v1alpha1.SecretKeySelector]string{webhookURL: "https://hooks.example/T0KEN"}, done: map[string]Object{}}
	planned, err := p.plan(t, newGroup("g", ""))
	if err != nil {
		t.Fatal(err)
	}
	p.apply(t, planned)

	p.secrets, p.done = nil, map[string]Object{}
	got, err := p.plan(t, newGroup("g", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != ActionNone || len(got.Diff) != 0 {
		t.Errorf("plan without the Secret = %s %v; want unchanged (the webhook cannot be compared)", got.Action, got.Diff)
	}
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "Secret hook key url is not among the manifests") {
		t.Errorf("notes = %q, want one naming the Secret and key", got.Notes)
	}
}

func TestPlanRefusals(t *testing.T) {
	api := newFakeAPI(t)
	p := &plannedGroups{api: api, done: map[string]Object{}}

	if _, err := p.plan(t, newGroup("parent", "", "nowhere")); err == nil || !strings.Contains(err.Error(), `childGroups: no NotificationGroup "nowhere" among the manifests`) {
		t.Errorf("a reference to no manifest = %v", err)
	}

	adopt := newGroup("adopt", "")
	adopt.Spec.ExternalID = uuid.NewString()
	if _, err := p.plan(t, adopt); err == nil || !strings.Contains(err.Error(), "no such HoxtonAi object to adopt") {
		t.Errorf("spec.externalID HoxtonAi does not know = %v", err)
	}

	observe := newGroup("observe", "")
	observe.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
	if _, err := p.plan(t, observe); err == nil || !strings.Contains(err.Error(), "ObserveOnly never creates it") {
		t.Errorf("ObserveOnly manifest of no object = %v", err)
	}
	if n := api.srv.CountWrites(); n != 0 {
		t.Errorf("refused plans wrote %d times", n)
	}
}

// TestPlanNamesATargetNotCreatedYet: a target whose reference value HoxtonAi assigns
// (a camera's position) is shown by name until it exists.
func TestPlanNamesATargetNotCreatedYet(t *testing.T) {
	refs, err := resolveLocal(newGroup("parent", "", "child"), groupKind().References, func(string, string, string) (Object, bool) {
		return newGroup("child", ""), true
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := refs.IDs(childGroups); len(got) != 1 || got[0] != "(NotificationGroup child, once created)" {
		t.Errorf("reference to a target without a value = %q", got)
	}
}

func TestPlannedCredentialsAreTheManifestsSecret(t *testing.T) {
	o := newGroup("client", "")
	values := map[v1alpha1.SecretKeySelector]string{
		{Name: "creds", Key: "clientID"}: "id-1", {Name: "creds", Key: "clientSecret"}: "s3cret", {Name: "other", Key: "x"}: "y",
	}
	c := plannedCredentials(o, "OAuthClient", "creds", values)
	if c.secret == nil || string(c.secret.Data["clientID"]) != "id-1" || string(c.secret.Data["clientSecret"]) != "s3cret" || len(c.secret.Data) != 2 {
		t.Errorf("planned Secret = %+v, want the two keys of Secret creds only", c.secret)
	}
	if c.secret.Namespace != testNS || c.marker != "OAuthClient/client" {
		t.Errorf("planned Secret in %q with marker %q", c.secret.Namespace, c.marker)
	}
	if c := plannedCredentials(o, "OAuthClient", "absent", values); c.secret != nil {
		t.Errorf("a Secret not among the manifests is planned as %+v, want absent", c.secret)
	}
}
