package connection

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/conditions"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// A deleted Connection that waits for the objects still using it says so, naming
// them: otherwise `kubectl delete` seems to hang on a Connection that reports Ready
// and nothing else. Ready stays True meanwhile, on purpose: the objects being
// deleted use only a Ready Connection, and they need it to be deleted in HoxtonAi.
const (
	// TypeDeleting is True while a deleted Connection waits for its users.
	TypeDeleting = "Deleting"
	// ReasonInUse is the reason of TypeDeleting, and of the Warning event that
	// names the users.
	ReasonInUse = "InUse"
	// maxUsersNamed bounds how many users a condition or event names.
	maxUsersNamed = 5
)

// reportInUse sets TypeDeleting on a deleted conn that users still use, and emits a
// Warning event each time the message changes, so that the event names the users
// left as they go.
func (r *Reconciler[C]) reportInUse(ctx context.Context, conn C, users []managed.ConnectionUser) error {
	orig := conn.DeepCopyObject().(C)
	st := conn.GetConnectionStatus()
	msg := inUseMessage(conn, users, r.grace())
	if !conditions.Set(&st.Conditions, conn.GetGeneration(), TypeDeleting, true, ReasonInUse, msg) {
		return nil
	}
	if err := r.client.Status().Patch(ctx, conn, client.MergeFrom(orig)); err != nil {
		return client.IgnoreNotFound(err)
	}
	r.recorder.Eventf(conn, nil, corev1.EventTypeWarning, ReasonInUse, "Delete", "%s", msg)
	return nil
}

// inUseMessage says what a deleted conn waits for: how many objects, the first
// maxUsersNamed of them by kind and name ("Site hq", or "Site shop/hq" for a
// ClusterConnection, whose users live in any namespace), and "and K more".
func inUseMessage(conn Object, users []managed.ConnectionUser, grace fmt.Stringer) string {
	cluster := conn.Reference().Kind == v1alpha1.ConnectionKindCluster
	names := make([]string, 0, maxUsersNamed)
	for _, u := range users[:min(len(users), maxUsersNamed)] {
		name := u.Name
		if cluster {
			name = u.Namespace + "/" + u.Name
		}
		names = append(names, u.Kind+" "+name)
	}
	list := strings.Join(names, ", ")
	if more := len(users) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	wait := "until they are deleted"
	if cluster {
		wait = fmt.Sprintf("until they are deleted, %s at most", grace)
	}
	return fmt.Sprintf("deletion waits %s: %d objects still use this %s and need its credentials to be deleted in HoxtonAi: %s",
		wait, len(users), conn.Reference().Kind, list)
}
