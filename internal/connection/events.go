package connection

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
)

// operatorNamespaceEvents records the events of ClusterConnections in the
// operator's namespace. They name the Secret, the organisation and what the token
// endpoint answered, which belong to the cluster administrator; the events of a
// cluster-scoped object would otherwise go to namespace "default", which many
// clusters let everyone read. The API server accepts an event in a namespace only
// about an object of that namespace, so the event's regarding reference carries the
// operator's namespace; its kind, name and uid are the ClusterConnection's.
type operatorNamespaceEvents struct {
	events.EventRecorder
	namespace string
}

func inOperatorNamespace(rec events.EventRecorder, namespace string) events.EventRecorder {
	if namespace == "" {
		return rec
	}
	return operatorNamespaceEvents{EventRecorder: rec, namespace: namespace}
}

func (r operatorNamespaceEvents) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	if cc, ok := regarding.(*v1alpha1.ClusterConnection); ok {
		regarding = &v1alpha1.ClusterConnection{
			TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: string(v1alpha1.ConnectionKindCluster)},
			ObjectMeta: metav1.ObjectMeta{
				Namespace: r.namespace, Name: cc.Name, UID: cc.UID, ResourceVersion: cc.ResourceVersion,
			},
		}
	}
	r.EventRecorder.Eventf(regarding, related, eventtype, reason, action, note, args...)
}
