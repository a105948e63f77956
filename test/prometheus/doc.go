// Package prometheus checks config/prometheus and config/grafana against the manager:
// the alert rules load with Prometheus's own rule parser, and every metric the rules
// and the dashboard query is one the manager's registry exports. It is its own Go
// module, so that Prometheus's dependencies stay out of the operator's.
package prometheus
