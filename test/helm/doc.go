// Package helm tests the Helm chart in charts/hoxton-operator with Helm's own Go
// packages: lint, the chart's CRDs and RBAC against config/, and the rendered chart
// applied to a real kube-apiserver (envtest) with a server-side dry run. It is its own
// Go module, so that Helm's dependencies stay out of the operator's.
package helm
