#!/usr/bin/env bash
# Provides kube-apiserver, etcd and kubectl for envtest, in the folder where setup-envtest
# keeps them, so that `setup-envtest use` finds them too.
#
# 1. Nothing to do when the three binaries are already there.
# 2. Otherwise ask setup-envtest (bounded: it needs the internet).
# 3. Otherwise build them from the Go module proxy: kube-apiserver and kubectl from
#    k8s.io/kubernetes (hack/envtest/kube), etcd from go.etcd.io/etcd/server/v3
#    (hack/envtest/etcd). The binaries are built into a temporary folder and moved in
#    last, so an interrupted build never leaves a half-filled folder behind.
#
# Prints the folder (for KUBEBUILDER_ASSETS) on stdout; progress goes to stderr.
set -euo pipefail

version=${ENVTEST_K8S_VERSION:?ENVTEST_K8S_VERSION is required}
setup_envtest=${SETUP_ENVTEST:-}
here=$(cd "$(dirname "$0")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
store="$data_home/kubebuilder-envtest"
dir="$store/k8s/${version}-$(go env GOOS)-$(go env GOARCH)"

have_all() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ] && [ -x "$1/kubectl" ]; }

if have_all "$dir"; then
  echo "$dir"; exit 0
fi

if [ -n "$setup_envtest" ] && [ -x "$setup_envtest" ]; then
  echo "envtest: trying setup-envtest for $version (60 s at most)" >&2
  if found=$(timeout 60 "$setup_envtest" use "$version" --bin-dir "$store" -p path 2>/dev/null) && have_all "$found"; then
    echo "$found"; exit 0
  fi
  echo "envtest: setup-envtest could not download; building from the Go module proxy" >&2
fi

start=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/envtest-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ldflags="-s -w \
 -X k8s.io/component-base/version.gitVersion=v${version} \
 -X k8s.io/component-base/version.gitMajor=${version%%.*} \
 -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2) \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/client-go/pkg/version.gitVersion=v${version}"
echo "envtest: building kube-apiserver and kubectl v${version} (several minutes when the Go build cache is cold)" >&2
(cd "$here/kube" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
(cd "$here/kube" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/kubectl" k8s.io/kubernetes/cmd/kubectl)
echo "envtest: building etcd" >&2
(cd "$here/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)

mkdir -p "$dir"
for b in kube-apiserver kubectl etcd; do mv "$tmp/$b" "$dir/$b"; done
echo "envtest: built in $(( $(date +%s) - start )) s into $dir" >&2
echo "$dir"
