// Package argocd tests the Argo CD health checks in config/argocd with gopher-lua,
// the Lua engine Argo CD itself runs them with, on objects built from the real API
// types.
package argocd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

func cond(t, status, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: t, Status: metav1.ConditionStatus(status), Reason: reason, Message: msg, LastTransitionTime: metav1.Now()}
}

func site(generation, observed int64, conds ...metav1.Condition) *v1alpha1.Site {
	s := &v1alpha1.Site{TypeMeta: metav1.TypeMeta{APIVersion: "hoxtonai.dev/v1alpha1", Kind: "Site"},
		ObjectMeta: metav1.ObjectMeta{Name: "hq", Generation: generation}}
	s.Status.ObservedGeneration = observed
	s.Status.Conditions = conds
	return s
}

func TestManagedHealth(t *testing.T) {
	cases := []struct {
		name       string
		obj        any
		wantStatus string
		wantMsg    string
	}{
		{"not reconciled yet", site(1, 0), "Progressing", "Waiting for the operator"},
		{"stale generation", site(2, 1, cond("Ready", "True", "Available", ""), cond("Synced", "True", "ReconcileSuccess", "")), "Progressing", "Waiting for the operator to observe the latest spec"},
		{"in sync", site(2, 2, cond("Ready", "True", "Available", ""), cond("Synced", "True", "ReconcileSuccess", "")), "Healthy", "In sync with HoxtonAi"},
		{"paused", site(1, 1, cond("Ready", "True", "Available", ""), cond("Synced", "False", "Paused", "paused by annotation")), "Suspended", "Paused: paused by annotation"},
		{"terminal", site(1, 1, cond("Ready", "False", "Unavailable", ""), cond("Synced", "False", "Terminal", "create: 422 name: required")), "Degraded", "Terminal: create: 422 name: required"},
		{"waiting for references", site(1, 1, cond("Ready", "False", "Unavailable", ""), cond("Synced", "False", "ReferencesNotReady", `Site "hq" is not Ready`)), "Progressing", `ReferencesNotReady: Site "hq" is not Ready`},
		{"drift reported by ObserveOnly", site(1, 1, cond("Ready", "True", "Available", ""), cond("Synced", "False", "Drifted", "name differs")), "Degraded", "Drifted: name differs"},
		{"creating", site(1, 1, cond("Ready", "False", "Creating", "claiming")), "Progressing", "Creating: claiming"},
		// With the kstatus conditions the operator sets, Argo CD agrees with kstatus.
		{"stalled", site(1, 1, cond("Ready", "False", "Unavailable", ""), cond("Synced", "False", "Terminal", "create: 422"), cond("Stalled", "True", "Terminal", "create: 422")), "Degraded", "Terminal: create: 422"},
		{"reconciling after a transient error", site(1, 1, cond("Ready", "True", "Available", ""), cond("Synced", "False", "ReconcileError", "update: 503"), cond("Reconciling", "True", "ReconcileError", "update: 503")), "Progressing", "ReconcileError: update: 503"},
		{"reconciling while deleting", site(1, 1, cond("Ready", "False", "Deleting", ""), cond("Synced", "True", "ReconcileSuccess", ""), cond("Reconciling", "True", "Deleting", "")), "Progressing", "Deleting: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, msg := runHealth(t, "managed-health.lua", tc.obj)
			if status != tc.wantStatus || msg != tc.wantMsg {
				t.Fatalf("health = %q %q, want %q %q", status, msg, tc.wantStatus, tc.wantMsg)
			}
		})
	}
}

func TestConnectionHealth(t *testing.T) {
	conn := func(conds ...metav1.Condition) *v1alpha1.Connection {
		c := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Name: "default", Generation: 1}}
		c.Status.Conditions = conds
		return c
	}
	cases := []struct {
		name       string
		obj        any
		wantStatus string
	}{
		{"unchecked", conn(), "Progressing"},
		{"working", conn(cond("Ready", "True", "Available", "token obtained")), "Healthy"},
		{"rejected", conn(cond("Ready", "False", "CredentialsRejected", "invalid_client")), "Degraded"},
		{"deleted while in use", conn(cond("Ready", "True", "Available", ""), cond("Deleting", "True", "InUse", "used by Site hq")), "Progressing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status, msg := runHealth(t, "connection-health.lua", tc.obj); status != tc.wantStatus {
				t.Fatalf("health = %q (%s), want %q", status, msg, tc.wantStatus)
			}
		})
	}
}

// runHealth runs a health script as Argo CD does: the object as the global obj, the
// script's return value a table with status and message.
func runHealth(t *testing.T, script string, obj any) (string, string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "config", "argocd", script))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: false})
	defer L.Close()
	L.SetGlobal("obj", toLua(L, generic))
	if err := L.DoString(string(src)); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("%s returned %s, want a table", script, L.Get(-1).Type())
	}
	return lua.LVAsString(hs.RawGetString("status")), lua.LVAsString(hs.RawGetString("message"))
}

// toLua converts decoded JSON to Lua values, arrays as 1-based tables.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	}
	return lua.LNil
}
