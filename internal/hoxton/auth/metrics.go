package auth

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Metric label values for the result label.
const (
	resultSuccess     = "success"
	resultRejected    = "rejected"
	resultUnavailable = "unavailable"
)

// grantAuthorizationCode labels token requests made by AuthCodeFlow.Exchange.
const grantAuthorizationCode = "AuthorizationCode"

// tokenRequests counts requests to the token endpoint, so that a storm or a
// run of rejections is visible without reading logs.
var tokenRequests = registerCounter(prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "hoxton_token_requests_total",
	Help: "Requests to the HoxtonAi token endpoint, by grant and result (success, rejected, unavailable).",
}, []string{"grant", "result"}))

// registerCounter registers c with the controller-runtime registry. If an
// identical collector is already registered (a second copy of the package in
// a test binary), it reuses that one instead of panicking.
func registerCounter(c *prometheus.CounterVec) *prometheus.CounterVec {
	err := metrics.Registry.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
			return existing
		}
	}
	// Any other registration error leaves c unregistered but usable: losing a
	// metric must not stop the operator.
	return c
}

// observe counts one token request outcome.
func observe(grant string, e *Error) {
	result := resultSuccess
	switch {
	case e == nil:
	case e.Kind == KindRejected:
		result = resultRejected
	default:
		result = resultUnavailable
	}
	tokenRequests.WithLabelValues(grant, result).Inc()
}
