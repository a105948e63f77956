package connection

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoxton-operator/hoxton-operator/api/v1alpha1"
	"github.com/hoxton-operator/hoxton-operator/internal/managed"
)

// TestInUseMessageNamesTheFirstUsers: the message names maxUsersNamed users by kind
// and name, then says how many more; a ClusterConnection's users by namespace too.
func TestInUseMessageNamesTheFirstUsers(t *testing.T) {
	var users []managed.ConnectionUser
	for i := range maxUsersNamed + 2 {
		users = append(users, managed.ConnectionUser{Kind: "Site", Namespace: "shop", Name: fmt.Sprintf("s%d", i)})
	}
	conn := &v1alpha1.Connection{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "default"}}
	msg := inUseMessage(conn, users, time.Minute)
	if !strings.Contains(msg, "7 objects") || !strings.Contains(msg, "Site s0, Site s1, Site s2, Site s3, Site s4 and 2 more") || strings.Contains(msg, "s5") {
		t.Errorf("Connection: %q", msg)
	}
	cc := &v1alpha1.ClusterConnection{ObjectMeta: metav1.ObjectMeta{Name: "retail"}}
	msg = inUseMessage(cc, users[:1], 2*time.Minute)
	if !strings.Contains(msg, "Site shop/s0") || !strings.Contains(msg, "2m0s at most") {
		t.Errorf("ClusterConnection: %q", msg)
	}
}
