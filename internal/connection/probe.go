package connection

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
)

// ProbeCredentials returns conn's credentials as its token source starts from
// them: its Secret's, with the refresh token of its token state when the state
// continues that Secret's lineage; and the Persist that saves a rotation where
// the token source saves it. hoxtonctl's check-api sends its own token requests
// with them (it probes which request bodies the endpoint takes).
func (r *Resolver) ProbeCredentials(ctx context.Context, conn Object) (auth.Credentials, auth.Persist, error) {
	secretKey, err := r.secretKeyOf(conn)
	if err != nil {
		return auth.Credentials{}, nil, err
	}
	secret := &corev1.Secret{}
	if err := r.secrets.Get(withoutBodyLogging(ctx), secretKey, secret); err != nil {
		return auth.Credentials{}, nil, fmt.Errorf("reading Secret %s: %w", secretKey, err)
	}
	creds, err := CredentialsFrom(conn.GetParameters(), secret)
	if err != nil {
		return auth.Credentials{}, nil, err
	}
	seed := seedOf(creds.RefreshToken)
	if creds, _, err = r.withTokenState(ctx, conn, secretKey.Namespace, creds); err != nil {
		return auth.Credentials{}, nil, err
	}
	return creds, r.saveRotation(conn, seed, secretKey), nil
}
