#!/usr/bin/env bash
# hoxtonctl-archives.sh VERSION DIR: builds hoxtonctl with VERSION stamped in for
# Linux and macOS (amd64, arm64) and writes DIR/hoxtonctl_<version>_<os>_<arch>.tar.gz
# (the binary and the README), their SHA256SUMS, and nothing else. krew-manifest.sh
# reads the archives.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${1:?usage: hoxtonctl-archives.sh VERSION DIR}
dir=${2:?usage: hoxtonctl-archives.sh VERSION DIR}
mkdir -p "$dir"
ldflags="-s -w -X github.com/hoxton-operator/hoxton-operator/internal/version.version=$version"
for platform in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64; do
  os=${platform%/*} arch=${platform#*/}
  stage=$(mktemp -d)
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$stage/hoxtonctl" ./cmd/hoxtonctl
  cp README.md "$stage/"
  # Sorted names, fixed owner and time: the same commit gives the same archive.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='1970-01-01 00:00:00Z' \
    -C "$stage" -cf - hoxtonctl README.md | gzip -n > "$dir/hoxtonctl_${version}_${os}_${arch}.tar.gz"
  rm -rf "$stage"
done
(cd "$dir" && sha256sum hoxtonctl_*.tar.gz > SHA256SUMS)
