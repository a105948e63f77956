package managed

import (
	"testing"
	"time"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

func TestPollInterval(t *testing.T) {
	const def = 10 * time.Minute
	tests := []struct {
		annotation string // "" for none
		want       time.Duration
	}{
		{"", def},
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"10s", MinPollInterval},
		{"1s", MinPollInterval},
		{"0s", MinPollInterval},
		{"-5m", MinPollInterval},
		{"five minutes", def},
		{"300", def}, // no unit
	}
	for _, tc := range tests {
		t.Run(tc.annotation, func(t *testing.T) {
			o := &v1alpha1.Site{}
			if tc.annotation != "" {
				o.Annotations = map[string]string{AnnotationPollInterval: tc.annotation}
			}
			if got := pollInterval(o, def); got != tc.want {
				t.Errorf("pollInterval(%q) = %v, want %v", tc.annotation, got, tc.want)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if got := jitter(d); got != d {
			t.Errorf("jitter(%v) = %v, want it unchanged", d, got)
		}
	}
	for _, d := range []time.Duration{time.Nanosecond, 10 * time.Second, 10 * time.Minute} {
		seen := map[time.Duration]bool{}
		for range 1000 {
			got := jitter(d)
			if got < d-d/10 || got > d+d/10 {
				t.Fatalf("jitter(%v) = %v, outside ±10%%", d, got)
			}
			seen[got] = true
		}
		if d >= time.Second && len(seen) < 10 {
			t.Errorf("jitter(%v) took only %d values in 1000 draws", d, len(seen))
		}
	}
}

func TestPollIntervalAnnotationHonoured(t *testing.T) {
	tests := []struct {
		annotation string
		want       time.Duration
	}{
		{"5m", 5 * time.Minute},
		{"not-a-duration", testPoll},
		{"1s", MinPollInterval},
	}
	for _, tc := range tests {
		t.Run(tc.annotation, func(t *testing.T) {
			e := newEnv(t, newSite("hq", inSync("id-1"), withAnnotation(AnnotationPollInterval, tc.annotation)))
			res, err := e.reconcile("hq")
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			wantPollRequeue(t, res, tc.want)
		})
	}
}

func TestDeterministicIDFor(t *testing.T) {
	id := DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", "ns", "hq")
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 5 {
		t.Fatalf("DeterministicIDFor = %q (%v), want a version 5 UUID", id, err)
	}
	if again := DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", "ns", "hq"); again != id {
		t.Errorf("not stable: %q then %q", id, again)
	}
	others := []string{
		DeterministicIDFor(DefaultIDNamespace, testOrg, "Camera", "ns", "hq"),
		DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", "other", "hq"),
		DeterministicIDFor(DefaultIDNamespace, testOrg, "Site", "ns", "hq2"),
		DeterministicIDFor(uuid.New(), testOrg, "Site", "ns", "hq"),
		DeterministicIDFor(DefaultIDNamespace, "another-organisation", "Site", "ns", "hq"),
	}
	for _, o := range others {
		if o == id {
			t.Errorf("id %q shared by a different kind, namespace, name or id namespace", id)
		}
	}
}

func TestIDNamespaceOption(t *testing.T) {
	space := uuid.MustParse("00000000-0000-0000-0000-000000000001")
	e := newEnv(t, newSite("hq"))
	e.r.opts.IDNamespace = space
	if _, err := e.reconcile("hq"); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got, want := e.get("hq").Status.ExternalID, DeterministicIDFor(space, testOrg, "Site", testNS, "hq"); got != want {
		t.Errorf("status.externalID = %q, want %q derived in the configured namespace", got, want)
	}
}

func TestReadinessOf(t *testing.T) {
	ready := newSite("a", inSync("x"))
	if got := readinessOf(ready); got != "True/Available" {
		t.Errorf("readinessOf(ready Site) = %q", got)
	}
	conn := &v1alpha1.Connection{}
	conn.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "CredentialsRejected"}}
	if got := readinessOf(conn); got != "False/CredentialsRejected" {
		t.Errorf("readinessOf(Connection) = %q", got)
	}
	if got := readinessOf(&v1alpha1.Site{}); got != "" {
		t.Errorf("readinessOf(no conditions) = %q, want empty", got)
	}
}
