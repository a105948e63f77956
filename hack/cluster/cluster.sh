#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, offline, for `make test-cluster`:
# etcd and kube-apiserver (the envtest builds), kube-controller-manager,
# kube-scheduler, kubelet and kube-proxy (built from the same pinned k8s.io/kubernetes
# module, hack/envtest/kube), containerd and runc and the CNI plugins from Debian's
# packages, and images FROM scratch imported with ctr (no registry, no daemon).
#
#   hack/cluster/cluster.sh run -- <command>   bring it up, run the command with
#                                              KUBECONFIG set, tear it down (always)
#   hack/cluster/cluster.sh down               tear down what a killed run left
#
# Everything it changes on the host it records first and restores at teardown, also
# when a step fails: the sysctls the kubelet, kube-proxy and the bridge set, the
# firewall ruleset, the node address on lo, the bridge, the pods' network namespaces,
# cgroups and mounts, /var/log/containers. It ends every process it started. Its
# ports are fixed and below the ephemeral range, so that it never collides with an
# envtest control plane (which listens on ephemeral ports).
#
# Needs root, Linux with cgroup v1 or v2, and: ENVTEST_DIR (etcd, kube-apiserver,
# kubectl), NODE_BIN_DIR (kubelet, kube-proxy, kube-scheduler,
# kube-controller-manager), IMAGES_DIR (*.tar image archives to import).
set -euo pipefail

STATE=${CLUSTER_STATE:-/var/lib/hoxton-test-cluster}
RUN=/run/hoxton-test-cluster
NODE=hoxton-node
NODE_IP=10.210.0.1
POD_CIDR=10.211.0.0/24
SERVICE_CIDR=10.212.0.0/24
BRIDGE=hoxcni0
# Ports: etcd 23790/23800, kube-apiserver 26443, the rest 20xxx; all below 32768.
ETCD_PORT=23790 ETCD_PEER_PORT=23800 API_PORT=26443
KUBELET_PORT=20250 KUBELET_HEALTHZ=20248 PROXY_METRICS=20249 PROXY_HEALTHZ=20256 CM_PORT=20257 SCHED_PORT=20259
SOCK=$RUN/containerd.sock
LOGS_OUT=${CLUSTER_LOGS:-/tmp/hoxton-test-cluster-logs}
# The sysctls the node's components are known to set, restored at teardown (and
# checked: any other value that changed under these prefixes fails the teardown).
WATCHED='^(kernel\.(panic|panic_on_oops|keys\.root_max)|vm\.(overcommit_memory|panic_on_oom)|net\.ipv4\.(ip_forward|conf\.all\.)|net\.ipv6\.conf\.all\.forwarding|net\.bridge\.|net\.netfilter\.nf_conntrack_(max|tcp_timeout_established|tcp_timeout_close_wait)) '

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

watched_sysctls() { sysctl -a 2>/dev/null | grep -E "$WATCHED" | sort || true; }

# --- teardown --------------------------------------------------------------------

# down ends and removes everything up made, in the reverse order, and restores the
# host. It keeps going past failures and fails at the end if anything is left.
down() {
  set +e
  local left=0
  # Processes: the node's components first, so that nothing restarts the pods.
  for name in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if [ -f "$STATE/pids/$name" ]; then
      kill "$(cat "$STATE/pids/$name")" 2>/dev/null
    fi
  done
  for name in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$STATE/pids/$name" ] || continue
    local pid; pid=$(cat "$STATE/pids/$name")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  # The pods' processes, wherever their cgroups are, then the shims and containerd.
  local cg
  for cg in $(find /sys/fs/cgroup -depth -type d -path "*hoxton-kubepods*" 2>/dev/null); do
    cat "$cg/cgroup.procs" 2>/dev/null | xargs -r kill -9 2>/dev/null
  done
  pkill -9 -f "containerd-shim-runc-v2 -namespace k8s.io -address $SOCK" 2>/dev/null
  if [ -f "$STATE/pids/containerd" ]; then
    kill "$(cat "$STATE/pids/containerd")" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$(cat "$STATE/pids/containerd")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$STATE/pids/containerd")" 2>/dev/null
  fi
  # cgroups, deepest first (empty now that their processes are gone).
  for _ in 1 2 3; do
    find /sys/fs/cgroup -depth -type d -path "*hoxton-kubepods*" -exec rmdir {} + 2>/dev/null
  done
  if find /sys/fs/cgroup -type d -path "*hoxton-kubepods*" 2>/dev/null | grep -q .; then
    log "cgroups left: $(find /sys/fs/cgroup -type d -path '*hoxton-kubepods*' | head -3)"; left=1
  fi
  # The pods' network namespaces: those that were not there before.
  if [ -f "$STATE/host/netns" ]; then
    for ns in $(ls /var/run/netns 2>/dev/null); do
      grep -qx "$ns" "$STATE/host/netns" || ip netns delete "$ns" 2>/dev/null
    done
  fi
  [ -f "$STATE/host/netns-dir-absent" ] && rmdir /var/run/netns 2>/dev/null
  ip link del "$BRIDGE" 2>/dev/null
  ip addr del "$NODE_IP/32" dev lo 2>/dev/null
  # Mounts under the state folders (pod volumes, rootfs), deepest first.
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE|$RUN)/" | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  if awk '{print $5}' /proc/self/mountinfo | grep -qE "^($STATE|$RUN)/"; then
    log "mounts left under $STATE or $RUN"; left=1
  fi
  # Firewall: back to the ruleset saved before.
  if [ -f "$STATE/host/ruleset.nft" ]; then
    nft flush ruleset
    if [ -s "$STATE/host/ruleset.nft" ] && ! nft -f "$STATE/host/ruleset.nft"; then
      iptables-restore < "$STATE/host/iptables.v4"; ip6tables-restore < "$STATE/host/iptables.v6"
    fi
    if ! diff -q <(nft list ruleset) "$STATE/host/ruleset.nft" >/dev/null; then
      log "the firewall ruleset differs from before the cluster"; left=1
    fi
  fi
  # sysctls: every watched one that changed goes back.
  if [ -f "$STATE/host/sysctl" ]; then
    local key value
    while IFS= read -r line; do
      key=${line%% = *}; value=${line#* = }
      [ "$(sysctl -n "$key" 2>/dev/null)" = "$value" ] || sysctl -qw "$key=$value" 2>/dev/null
    done < "$STATE/host/sysctl"
    if ! diff <(watched_sysctls) "$STATE/host/sysctl" >&2; then
      log "sysctls differ from before the cluster (< now, > before)"; left=1
    fi
  fi
  if [ -f "$STATE/host/var-log-containers-absent" ]; then
    rm -rf /var/log/containers
  else
    find /var/log/containers -maxdepth 1 -lname "$STATE/*" -delete 2>/dev/null
  fi
  rm -rf "$RUN" "$STATE"
  [ "$left" = 0 ] || { log "teardown left something behind"; return 1; }
  log "torn down; the host is as it was"
  return 0
}

# --- bring-up --------------------------------------------------------------------

record_host() {
  mkdir -p "$STATE/host" "$STATE/pids" "$STATE/logs" "$RUN"
  watched_sysctls > "$STATE/host/sysctl"
  nft list ruleset > "$STATE/host/ruleset.nft"
  iptables-save > "$STATE/host/iptables.v4" 2>/dev/null || true
  ip6tables-save > "$STATE/host/iptables.v6" 2>/dev/null || true
  ls /var/run/netns 2>/dev/null > "$STATE/host/netns" || true
  [ -d /var/run/netns ] || touch "$STATE/host/netns-dir-absent"
  [ -e /var/log/containers ] || touch "$STATE/host/var-log-containers-absent"
}

pki() {
  local d=$STATE/pki
  mkdir -p "$d"
  cd "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hoxton-test-cluster-ca" -keyout ca.key -out ca.crt 2>/dev/null
  cert() { # name CN O [SANs]
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$2${3:+/O=$3}" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    local ext=""
    [ -n "${4:-}" ] && { printf 'subjectAltName=%s\n' "$4" > "$1.ext"; ext="-extfile $1.ext"; }
    # shellcheck disable=SC2086
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out "$1.crt" $ext 2>/dev/null
  }
  local svc_ip; svc_ip=$(echo "$SERVICE_CIDR" | sed 's|0/24$|1|')
  cert apiserver kube-apiserver "" "IP:$svc_ip,IP:$NODE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  cert admin admin system:masters
  cert kubelet "system:node:$NODE" system:nodes
  cert controller-manager system:kube-controller-manager
  cert scheduler system:kube-scheduler
  cert proxy system:kube-proxy
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  for n in admin kubelet controller-manager scheduler proxy; do
    cat > "$STATE/$n.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$d/ca.crt"}}]
users: [{name: $n, user: {client-certificate: "$d/$n.crt", client-key: "$d/$n.key"}}]
contexts: [{name: test, context: {cluster: test, user: $n}}]
current-context: test
EOF
  done
  cd - >/dev/null
}

start() { # name command...
  local name=$1; shift
  "$@" > "$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name"
  disown # the teardown kills it; the shell need not report that
}

wait_for() { # what seconds command...
  local what=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$what not ready after ${secs}s (logs in $STATE/logs)"
    sleep 0.5
  done
}

containerd_config() {
  mkdir -p "$STATE/cni/net.d" "$STATE/containerd"
  cat > "$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$RUN/containerd"
# Root may not lower its OOM score here: never ask (the kubelet's oomScoreAdj is 0).
oom_score = 0
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:hoxton-test"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
EOF
  # A bridge with host-local addresses; masquerading, so that a pod reaching another
  # through a Service gets its answers back through the host.
  cat > "$STATE/cni/net.d/10-hoxton.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "hoxton-test", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
}

node_configs() {
  local svc_ip; svc_ip=$(echo "$SERVICE_CIDR" | sed 's|0/24$|1|')
  cat > "$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: "$STATE/pki/ca.crt"}}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: /hoxton-kubepods
failCgroupV1: false
failSwapOn: false
# Root may not lower its OOM score on these machines.
oomScoreAdj: 0
podLogsDir: $STATE/pod-logs
maxPods: 40
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
EOF
  cat > "$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$STATE/proxy.kubeconfig"}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE
metricsBindAddress: 127.0.0.1:$PROXY_METRICS
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ
nodePortAddresses: ["$NODE_IP/32"]
oomScoreAdj: 0
# Zero leaves the host's conntrack settings alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  echo "$svc_ip" > "$STATE/service-ip"
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local t0; t0=$(date +%s)
  : "${ENVTEST_DIR:?}" "${NODE_BIN_DIR:?}" "${IMAGES_DIR:?}"
  record_host
  ip addr add "$NODE_IP/32" dev lo
  sysctl -qw net.ipv4.ip_forward=1
  pki
  containerd_config
  node_configs
  local cg
  for cg in /sys/fs/cgroup/*/; do
    [ -d "$cg" ] && [ "$(basename "$cg")" != unified ] && mkdir -p "$cg/hoxton-kubepods" 2>/dev/null || true
  done

  start etcd "$ENVTEST_DIR/etcd" --data-dir "$STATE/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync
  start containerd containerd --config "$STATE/containerd/config.toml"
  start kube-apiserver "$ENVTEST_DIR/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 0.0.0.0 --secure-port "$API_PORT" --advertise-address "$NODE_IP" \
    --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --client-ca-file "$STATE/pki/ca.crt" --kubelet-client-certificate "$STATE/pki/admin.crt" --kubelet-client-key "$STATE/pki/admin.key" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$STATE/pki/sa.pub" \
    --service-account-signing-key-file "$STATE/pki/sa.key" --service-cluster-ip-range "$SERVICE_CIDR" \
    --kubelet-preferred-address-types InternalIP --authorization-mode Node,RBAC --allow-privileged=true --cert-dir "$STATE/apiserver-certs"
  wait_for containerd 30 ctr -a "$SOCK" version
  for img in "$IMAGES_DIR"/*.tar; do
    ctr -a "$SOCK" -n k8s.io images import --no-unpack=false "$img" >/dev/null
  done
  wait_for kube-apiserver 60 "$ENVTEST_DIR/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get --raw /readyz
  start kube-controller-manager "$NODE_BIN_DIR/kube-controller-manager" --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --root-ca-file "$STATE/pki/ca.crt" --service-account-private-key-file "$STATE/pki/sa.key" --use-service-account-credentials \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$CM_PORT" --cluster-cidr "$POD_CIDR" --service-cluster-ip-range "$SERVICE_CIDR"
  start kube-scheduler "$NODE_BIN_DIR/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$SCHED_PORT"
  start kubelet "$NODE_BIN_DIR/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" --node-ip "$NODE_IP" --hostname-override "$NODE"
  start kube-proxy "$NODE_BIN_DIR/kube-proxy" --config "$STATE/kube-proxy.yaml"
  wait_for "node $NODE Ready" 120 "$ENVTEST_DIR/kubectl" --kubeconfig "$STATE/admin.kubeconfig" wait --for=condition=Ready "node/$NODE" --timeout=2s
  # Pods need their namespace's default ServiceAccount, made by the controller-manager.
  wait_for "the default ServiceAccount" 60 "$ENVTEST_DIR/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get serviceaccount default
  log "node Ready in $(( $(date +%s) - t0 )) s"
}

case "${1:-}" in
  run)
    shift; [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "usage: cluster.sh run -- <command>"
    # Before the teardown trap: another run's cluster must not be torn down.
    if [ -e "$STATE" ]; then
      for pid in $(cat "$STATE"/pids/* 2>/dev/null); do
        kill -0 "$pid" 2>/dev/null && die "$STATE exists and its processes run: another run is going on"
      done
      log "clearing what a killed run left in $STATE"
      down || die "could not clear what a killed run left (hack/cluster/cluster.sh down)"
    fi
    # On failure the components' logs outlive the teardown.
    trap 'rc=$?; [ "$rc" = 0 ] || { rm -rf "$LOGS_OUT"; cp -r "$STATE/logs" "$LOGS_OUT" 2>/dev/null && log "logs kept in $LOGS_OUT"; }; down || rc=1; exit $rc' EXIT
    trap 'exit 130' INT TERM
    up
    KUBECONFIG=$STATE/admin.kubeconfig CLUSTER_STATE=$STATE "$@"
    ;;
  down) down ;;
  *) die "usage: cluster.sh run -- <command> | down" ;;
esac
