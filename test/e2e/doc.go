//go:build e2e

// Package e2e tests hoxton-operator as it ships: the built bin/manager and
// bin/hoxtonctl as separate processes, kubectl, and an envtest control plane
// (kube-apiserver and etcd). Run it with `make test-e2e`, which builds the binaries;
// the e2e build tag keeps it out of `go test ./...`.
package e2e
