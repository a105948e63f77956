#!/usr/bin/env bash
# krew-manifest.sh TAG OWNER/REPO DIR: prints the krew manifest of the release TAG
# (.github/krew/hoxton.yaml with the version, the download URLs and the sha256 of the
# archives hoxtonctl-archives.sh wrote to DIR), so that
#   kubectl krew install --manifest-url=https://github.com/OWNER/REPO/releases/download/TAG/hoxton.yaml
# installs hoxtonctl as `kubectl hoxton`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:?usage: krew-manifest.sh TAG OWNER/REPO DIR}
repo=${2:?usage: krew-manifest.sh TAG OWNER/REPO DIR}
dir=${3:?usage: krew-manifest.sh TAG OWNER/REPO DIR}
version=${tag#v}
manifest=$(sed -e "/^#/d" -e "s|{{TAG}}|$tag|g" -e "s|{{VERSION}}|$version|g" -e "s|{{REPO}}|$repo|g" .github/krew/hoxton.yaml)
for platform in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
  archive="$dir/hoxtonctl_${version}_${platform}.tar.gz"
  if [ ! -f "$archive" ]; then
    echo "krew-manifest: $archive is missing" >&2
    exit 1
  fi
  sum=$(sha256sum "$archive" | cut -d' ' -f1)
  manifest=${manifest//"{{SHA256_$platform}}"/$sum}
done
if grep -q '{{' <<<"$manifest"; then
  echo "krew-manifest: placeholders left in .github/krew/hoxton.yaml:" >&2
  grep -n '{{' <<<"$manifest" >&2
  exit 1
fi
echo "$manifest"
