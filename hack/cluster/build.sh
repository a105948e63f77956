#!/usr/bin/env bash
# Builds what `make test-cluster` runs, offline:
# - the host's packages (containerd, runc, the CNI plugins, nftables, openssl) from
#   Debian, when missing;
# - kubelet, kube-proxy, kube-scheduler and kube-controller-manager from the pinned
#   k8s.io/kubernetes module of hack/envtest/kube (the kube-apiserver's), into
#   NODE_BIN_DIR, once: later runs reuse them;
# - from the checkout, static: the manager, hoxtonctl (the fake API's image) and the
#   pause process, each written as a one-layer image FROM scratch into
#   WORK/images (hack/cluster/mkimage), and the test binary WORK/cluster.test.
#
# Needs: ENVTEST_K8S_VERSION, NODE_BIN_DIR, WORK, IMG (the manager image's name),
# FAKE_IMG, LDFLAGS (the version stamp).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ENVTEST_K8S_VERSION:?}" "${NODE_BIN_DIR:?}" "${WORK:?}" "${IMG:?}" "${FAKE_IMG:?}"
version=$ENVTEST_K8S_VERSION

missing=()
for cmd in containerd runc ctr nft openssl ip; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
[ -x /usr/lib/cni/bridge ] || missing+=(cni)
if [ ${#missing[@]} -gt 0 ]; then
  echo "cluster: installing containerd, runc, the CNI plugins and nftables from Debian (missing: ${missing[*]})" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd runc containernetworking-plugins nftables iptables openssl iproute2 >/dev/null
fi

if ! [ -x "$NODE_BIN_DIR/kubelet" ] || ! [ -x "$NODE_BIN_DIR/kube-proxy" ] || ! [ -x "$NODE_BIN_DIR/kube-scheduler" ] || ! [ -x "$NODE_BIN_DIR/kube-controller-manager" ]; then
  start=$(date +%s)
  echo "cluster: building kubelet, kube-proxy, kube-scheduler and kube-controller-manager v$version (minutes with a cold Go build cache)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=${version%%.*} \
 -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"
  for c in kubelet kube-proxy kube-scheduler kube-controller-manager; do
    (cd hack/envtest/kube && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/$c" "k8s.io/kubernetes/cmd/$c")
  done
  mkdir -p "$NODE_BIN_DIR"
  for c in kubelet kube-proxy kube-scheduler kube-controller-manager; do mv "$tmp/$c" "$NODE_BIN_DIR/$c"; done
  echo "cluster: node binaries built in $(( $(date +%s) - start )) s" >&2
fi

mkdir -p "$WORK/bin" "$WORK/images"
rm -f "$WORK/images/"*.tar
CGO_ENABLED=0 go build -trimpath -ldflags "${LDFLAGS:-}" -o "$WORK/bin/manager" ./cmd/manager
CGO_ENABLED=0 go build -trimpath -ldflags "${LDFLAGS:-}" -o "$WORK/bin/hoxtonctl" ./cmd/hoxtonctl
CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/pause" ./hack/cluster/pause
go build -o "$WORK/bin/mkimage" ./hack/cluster/mkimage
ca=/etc/ssl/certs/ca-certificates.crt
"$WORK/bin/mkimage" -o "$WORK/images/manager.tar" -name "$IMG" -entrypoint /manager -user 65532:65532 \
  -file "$WORK/bin/manager=/manager" -file "$ca=$ca"
"$WORK/bin/mkimage" -o "$WORK/images/fake-api.tar" -name "$FAKE_IMG" -entrypoint /hoxtonctl -user 65532:65532 \
  -file "$WORK/bin/hoxtonctl=/hoxtonctl" -file "$ca=$ca"
"$WORK/bin/mkimage" -o "$WORK/images/pause.tar" -name registry.k8s.io/pause:hoxton-test -entrypoint /pause \
  -file "$WORK/bin/pause=/pause"
(cd test/helm && go test -c -o "$WORK/cluster.test" ./cluster)
