package fleet

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/kinds"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// TestEveryKindHasABuilder keeps the fleet complete: a kind added to the registry
// without a builder entry would be left out of every benchmark and chaos run.
func TestEveryKindHasABuilder(t *testing.T) {
	var registered, built []string
	for _, k := range kinds.Registry() {
		registered = append(registered, k.Name)
	}
	for _, b := range Builders {
		built = append(built, b.Kind)
	}
	for _, k := range registered {
		if !slices.Contains(built, k) {
			t.Errorf("kind %s is registered but has no entry in fleet.Builders", k)
		}
	}
	for _, k := range built {
		if !slices.Contains(registered, k) {
			t.Errorf("fleet.Builders has an entry for %s, which is not a registered kind", k)
		}
	}
}

// TestBuildersMakeTheirKind checks that each builder makes objects of its own kind
// that count at least one write, so that the floor counts every object.
func TestBuildersMakeTheirKind(t *testing.T) {
	byKind := map[string]func() managed.Object{}
	for _, k := range kinds.Registry() {
		byKind[k.Name] = k.New
	}
	for _, b := range Builders {
		newObj, ok := byKind[b.Kind]
		if !ok {
			continue
		}
		objs := b.Build(Store{Index: 0, Stores: 3, Namespace: "ns", Serial: "s"})
		if len(objs) == 0 {
			t.Errorf("the %s builder made no object", b.Kind)
		}
		want := typeName(newObj())
		for _, o := range objs {
			if got := typeName(o.Obj); got != want {
				t.Errorf("the %s builder made a %s", b.Kind, got)
			}
			if o.Writes < 1 {
				t.Errorf("%s %s counts %d writes, want at least one", b.Kind, o.Obj.GetName(), o.Writes)
			}
		}
	}
}

func TestFleetSize(t *testing.T) {
	for _, n := range []int{100, 1000, 10000} {
		got := len(Build("ns", "s", StoresFor(n)))
		if got < n*95/100 || got > n*105/100 {
			t.Errorf("a fleet for %d objects has %d", n, got)
		}
	}
}

func typeName(o any) string { return fmt.Sprintf("%T", o) }
