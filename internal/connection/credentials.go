package connection

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/safeurl"
)

// ConfigError is a Connection problem only the user can fix (a missing Secret or key,
// an invalid CA bundle). Reason is the Ready condition reason to report.
type ConfigError struct {
	Reason  string
	Message string
}

func (e *ConfigError) Error() string { return e.Message }

// keysFor lists the Secret keys each grant needs.
var keysFor = map[v1alpha1.Grant][]string{
	v1alpha1.GrantClientCredentials: {v1alpha1.SecretKeyClientID, v1alpha1.SecretKeyClientSecret},
	v1alpha1.GrantPassword:          {v1alpha1.SecretKeyClientID, v1alpha1.SecretKeyClientSecret, v1alpha1.SecretKeyUsername, v1alpha1.SecretKeyPassword},
	v1alpha1.GrantRefreshToken:      {v1alpha1.SecretKeyClientID, v1alpha1.SecretKeyClientSecret, v1alpha1.SecretKeyRefreshToken},
}

// CredentialsFrom builds the token credentials of a Connection from its Secret, for
// the manager and for hoxtonctl alike. The error names missing keys, never values.
func CredentialsFrom(p *v1alpha1.ConnectionParameters, secret *corev1.Secret) (auth.Credentials, error) {
	grant := p.Grant
	if grant == "" {
		grant = v1alpha1.GrantClientCredentials
	}
	for _, k := range keysFor[grant] {
		if len(secret.Data[k]) == 0 {
			return auth.Credentials{}, &ConfigError{
				Reason:  conditions.ReasonSecretKeyMissing,
				Message: fmt.Sprintf("Secret %s/%s has no key %q, which grant %s needs", secret.Namespace, secret.Name, k, grant),
			}
		}
	}
	get := func(k string) string { return string(secret.Data[k]) }
	return auth.Credentials{
		Grant:         auth.Grant(grant),
		Dialect:       auth.Dialect(p.TokenDialect),
		TokenURL:      p.TokenURL,
		RefreshURL:    p.RefreshURL,
		RevocationURL: p.RevocationURL,
		Audience:      p.Audience,
		ClientID:      get(v1alpha1.SecretKeyClientID),
		ClientSecret:  get(v1alpha1.SecretKeyClientSecret),
		Username:      get(v1alpha1.SecretKeyUsername),
		Password:      get(v1alpha1.SecretKeyPassword),
		RefreshToken:  get(v1alpha1.SecretKeyRefreshToken),
	}, nil
}

// httpTimeout bounds every API and token request.
const httpTimeout = 30 * time.Second

// httpClientFor returns an HTTP client trusting the system roots plus caBundle.
func httpClientFor(caBundle string) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refuseMetadata}
	transport.DialContext = dialer.DialContext
	if caBundle != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(caBundle)) {
			return nil, &ConfigError{Reason: conditions.ReasonInvalidConfiguration, Message: "spec.caBundle holds no PEM certificate"}
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: httpTimeout}, nil
}

// refuseMetadata keeps API and token requests, which carry credentials, away from
// link-local and cloud metadata addresses, whatever DNS name resolved to them: the
// URL checks see names only.
func refuseMetadata(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if addr, err := netip.ParseAddr(host); err == nil && safeurl.MetadataAddress(addr) {
		return errors.New("connection to a link-local or cloud metadata address refused")
	}
	return nil
}
