package managed

import (
	"github.com/google/uuid"
)

// DefaultIDNamespace is the UUID namespace deterministic ids are derived in unless the
// manager is given another (--id-namespace). It is published, so choose your own and
// keep it in Git with the manager's settings: a cluster rebuilt from Git must derive
// the same ids to find its objects again.
var DefaultIDNamespace = uuid.MustParse("5b7c8f4e-2d0a-4f3e-9c55-6e0d3b1a9f21")

// DeterministicIDFor derives the HoxtonAi id of the object kind/namespace/name in
// organisation org: a version 5 UUID, so the same object in the same Git repository
// always maps to the same HoxtonAi object, whichever cluster applies it. The
// organisation is part of the name, so one repository synced to staging and to
// production never derives the same id in both, and ids of one organisation say
// nothing about another's. Objects created before the organisation was part of the
// name keep the id recorded in status.externalID.
func DeterministicIDFor(space uuid.UUID, org, kind, namespace, name string) string {
	return uuid.NewSHA1(space, []byte("hoxtonai.dev/"+org+"/"+kind+"/"+namespace+"/"+name)).String()
}
