// Package cluster installs the operator on a real single-node cluster and checks it as
// users would: the Helm chart and the kustomize install, the samples applied by a
// tenant with `edit`, leader handover, metrics scraped as the chart's ServiceMonitor
// says, the namespaced install, `helm upgrade`, uninstall and deleting the CRDs.
//
// `make test-cluster` brings the cluster up (hack/cluster/cluster.sh), with the
// manager and the fake HoxtonAi API as images built from the checkout, and runs these
// tests with KUBECONFIG and HOXTON_TEST_CLUSTER set; without them they are skipped,
// so that `make test-helm` still compiles them.
package cluster
