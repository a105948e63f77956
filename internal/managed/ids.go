package managed

import (
	"github.com/google/uuid"
)

// DefaultIDNamespace is the UUID namespace deterministic ids are derived in unless the
// manager is given another (--id-namespace). Two installations managing the same
// organisation from different clusters must use different namespaces, or the same
// namespace to share objects on purpose.
var DefaultIDNamespace = uuid.MustParse("5b7c8f4e-2d0a-4f3e-9c55-6e0d3b1a9f21")

// DeterministicIDFor derives the HoxtonAi id of the object kind/namespace/name: a
// version 5 UUID, so the same object in the same Git repository always maps to the
// same HoxtonAi object, whichever cluster applies it.
func DeterministicIDFor(space uuid.UUID, kind, namespace, name string) string {
	return uuid.NewSHA1(space, []byte("hoxtonai.dev/"+kind+"/"+namespace+"/"+name)).String()
}

// LinkIDFor derives the id of a link object (e.g. a monitor camera position) from the
// ids of the two objects it links, so re-creating a link never duplicates it.
func LinkIDFor(space uuid.UUID, linkKind, ownerID, targetID string) string {
	return uuid.NewSHA1(space, []byte("hoxtonai.dev/"+linkKind+"/"+ownerID+"/"+targetID)).String()
}
