#!/usr/bin/env bash
# Builds the two Argo CD components `make test-gitops` runs, the application controller
# and the repo server, from the Go module proxy, once: later runs reuse the binary.
# Argo CD is built inside a copy of its own module, so that its go.mod and its replace
# directives apply; a small main links only those two commands (its own cmd/main.go
# links the API server, whose web UI is not in the module).
#
# v3.2.11: newer versions do not build here (v3.6 needs a newer Go; v3.3 to v3.5 replace
# gitops-engine with a nested module the proxy does not serve).
#
#   ARGOCD_BIN=<path of the binary to write> hack/gitops/build-argocd.sh
set -euo pipefail
version=${ARGOCD_VERSION:-v3.2.11}
out=${ARGOCD_BIN:?ARGOCD_BIN is required}
[ -x "$out" ] && exit 0

start=$(date +%s)
echo "gitops: building Argo CD $version (the application controller and the repo server)" >&2
src=$(GOFLAGS=-mod=mod go mod download -json "github.com/argoproj/argo-cd/v3@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "gitops: cannot download github.com/argoproj/argo-cd/v3@$version" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cp -r "$src" "$tmp/argo-cd"
chmod -R u+w "$tmp/argo-cd"
mkdir -p "$tmp/argo-cd/cmd/hoxton-argocd"
cat > "$tmp/argo-cd/cmd/hoxton-argocd/main.go" <<'GO'
// Command hoxton-argocd is Argo CD's application controller or repo server, chosen by
// its first argument, for the GitOps test of hoxton-operator.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hoxton-argocd application-controller|repo-server [flags]")
		os.Exit(2)
	}
	var cmd *cobra.Command
	switch os.Args[1] {
	case "application-controller":
		cmd = appcontroller.NewCommand()
	case "repo-server":
		cmd = reposerver.NewCommand()
	default:
		fmt.Fprintf(os.Stderr, "unknown component %q\n", os.Args[1])
		os.Exit(2)
	}
	cmd.SetArgs(os.Args[2:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}
GO
mkdir -p "$(dirname "$out")"
(cd "$tmp/argo-cd" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$out.tmp" ./cmd/hoxton-argocd)
mv "$out.tmp" "$out"
echo "gitops: Argo CD built in $(( $(date +%s) - start )) s" >&2
