// Package checkapi checks a live HoxtonAi API against the assumptions of
// docs/api-assumptions.md (A1..A16, and what the operator relies on in list
// answers: the filters by organisation, site and owner, and that lists do
// not page). `hoxtonctl check-api` is its command; this package holds the
// checks, the scratch objects they write and their cleanup.
//
// Each check records evidence (the request, the status, what decided) under
// one result id, so a service that breaks one assumption fails exactly that
// result. The checks send raw requests (see prober) rather than use the typed
// client, because they must see the wire: a 404 and a 200 with state deleted
// are different answers the client maps to the same "gone".
//
// Writes: every scratch object is recorded before the request that creates
// it and undone, newest first, whatever ends the run (the last check, a
// failed one, a panic, a cancelled context such as Ctrl-C), with a fresh
// context. What cannot be undone is reported by kind and id, to remove by
// hand. Nothing is written without consent (Config.Yes or Config.Confirm).
package checkapi
