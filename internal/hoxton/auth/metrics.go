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
	Help: "Requests to the token endpoint, by grant, dialect (Standard, CAM2, CamStreamer) and result (success, rejected, unavailable).",
}, []string{"grant", "dialect", "result"}))

// revocations counts token revocations, whose failures are otherwise only
// events on Connections that may already be gone.
var revocations = registerCounter(prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "hoxton_token_revocations_total",
	Help: "Token revocations, by dialect and result (success, rejected, unavailable).",
}, []string{"dialect", "result"}))

// persistFailures counts failed attempts to save a rotated refresh token.
var persistFailures = registerCounter(prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "hoxton_refresh_token_save_failures_total",
	Help: "Failed attempts to save a rotated refresh token, by dialect. Each is retried until it succeeds.",
}, []string{"dialect"}))

// unsavedRotations is the number of rotated refresh tokens whose save is
// failing right now: while it is above zero, a restart may lock a Connection out.
var unsavedRotations = registerGauge(prometheus.NewGauge(prometheus.GaugeOpts{
	Name: "hoxton_refresh_tokens_unsaved",
	Help: "Rotated refresh tokens whose save to their Secret is failing and being retried.",
}))

// registerGauge is registerCounter for a gauge.
func registerGauge(g prometheus.Gauge) prometheus.Gauge {
	err := metrics.Registry.Register(g)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(prometheus.Gauge); ok {
			return existing
		}
	}
	return g
}

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
func observe(c Credentials, e *Error) {
	observeGrant(string(c.Grant), c.Dialect.normalized(), e)
}

func observeGrant(grant string, d Dialect, e *Error) {
	tokenRequests.WithLabelValues(grant, string(d), result(e)).Inc()
}

// observeRevocation counts one revocation outcome.
func observeRevocation(d Dialect, e *Error) {
	revocations.WithLabelValues(string(d), result(e)).Inc()
}

func result(e *Error) string {
	switch {
	case e == nil:
		return resultSuccess
	case e.Kind == KindRejected:
		return resultRejected
	default:
		return resultUnavailable
	}
}
