#!/usr/bin/env bash
# check-tag.sh TAG: a release tag must be "v" and the Helm chart's appVersion, the one
# version stamped into the binaries and tagging the image; anything else would publish
# an image whose tag, chart and `hoxtonctl version` disagree.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:?usage: check-tag.sh v<appVersion>}
app_version=$(sed -n 's/^appVersion: *"*\([^"]*\)"*$/\1/p' charts/hoxton-operator/Chart.yaml)
if [ -z "$app_version" ]; then
  echo "check-tag: no appVersion in charts/hoxton-operator/Chart.yaml" >&2
  exit 1
fi
if [ "$tag" != "v$app_version" ]; then
  echo "check-tag: the tag $tag is not v$app_version, the appVersion of charts/hoxton-operator/Chart.yaml; bump appVersion (and CHANGELOG.md) first" >&2
  exit 1
fi
echo "check-tag: $tag is the chart's appVersion"
