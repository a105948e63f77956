package testenv

import (
	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
)

// StartShard starts one more manager beside the Env's own, as the Deployment of a
// shard (operator.Options.Shard) runs it; stop stops it, releasing its lease.
func (e *Env) StartShard(opts operator.Options) (stop func() error, err error) {
	r, err := e.startReplica(opts)
	if err != nil {
		return nil, err
	}
	return r.stop, nil
}

// ConnectionTo returns a Connection like Connection's, to the fake API api: another
// organisation, served by a server of its own.
func (e *Env) ConnectionTo(api *hoxtontest.Server, namespace, name, secretName string) *v1alpha1.Connection {
	c := e.Connection(namespace, name, secretName)
	c.Spec.APIURL, c.Spec.TokenURL, c.Spec.OrganisationID = api.APIURL(), api.TokenURL(), api.OrganisationID()
	return c
}
