package cluster

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	fakeNS   = "hoxton-fake"
	fakeName = "fake-api"
	fakePort = 8089
)

// fakeAPI is the fake HoxtonAi API (`hoxtonctl fake-api`) running as a Deployment,
// reached by the manager through its Service's ClusterIP.
type fakeAPI struct {
	base string
}

func (f fakeAPI) apiURL() string   { return f.base + "/api/v0" }
func (f fakeAPI) tokenURL() string { return f.base + "/oauth/token" }

// deployFake runs the fake API in the cluster, with extra flags, and waits until it
// answers.
func (e *env) deployFake(t *testing.T, extra ...string) fakeAPI {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{"app": fakeName}
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fakeNS}},
		&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: fakeName, Namespace: fakeNS},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{
						Name: "fake", Image: e.fakeImage, ImagePullPolicy: corev1.PullNever,
						Args:           append([]string{"fake-api", fmt.Sprintf("--listen=0.0.0.0:%d", fakePort)}, extra...),
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt(fakePort)}}},
					}}},
				},
			},
		},
		&corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: fakeName, Namespace: fakeNS},
			Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: fakePort, TargetPort: intstr.FromInt(fakePort)}}},
		},
	}
	for _, o := range objs {
		if err := e.kube.Create(ctx, o); err != nil {
			t.Fatalf("creating the fake API: %v", err)
		}
	}
	e.waitAvailable(t, fakeNS, fakeName, 1)
	var svc corev1.Service
	if err := e.kube.Get(ctx, client.ObjectKey{Namespace: fakeNS, Name: fakeName}, &svc); err != nil {
		t.Fatal(err)
	}
	return fakeAPI{base: fmt.Sprintf("http://%s:%d", svc.Spec.ClusterIP, fakePort)}
}

// resetFake starts the fake API afresh, empty: a camera stays claimed by the site of
// an earlier path (HoxtonAi cannot move a camera), so each path starts from a new
// organisation. Its Service, and so its URL, stay.
func (e *env) resetFake(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var before corev1.PodList
	if err := e.kube.List(ctx, &before, client.InNamespace(fakeNS), client.MatchingLabels{"app": fakeName}); err != nil {
		t.Fatal(err)
	}
	old := map[string]bool{}
	for _, p := range before.Items {
		old[p.Name] = true
	}
	e.kubectl(t, nil, "delete", "pod", "-n", fakeNS, "-l", "app="+fakeName, "--wait=true")
	eventually(t, wait, "a fresh fake API ready", func() error {
		var pods corev1.PodList
		if err := e.kube.List(ctx, &pods, client.InNamespace(fakeNS), client.MatchingLabels{"app": fakeName}); err != nil {
			return err
		}
		for _, p := range pods.Items {
			if old[p.Name] || p.DeletionTimestamp != nil {
				continue
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
					return nil
				}
			}
		}
		return fmt.Errorf("no new ready pod")
	})
}

// waitAvailable waits until the Deployment has replicas updated, available pods.
func (e *env) waitAvailable(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	eventually(t, wait, "Deployment "+ns+"/"+name+" available", func() error {
		var d appsv1.Deployment
		if err := e.kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &d); err != nil {
			return err
		}
		s := d.Status
		if s.ObservedGeneration != d.Generation || s.UpdatedReplicas != replicas || s.AvailableReplicas != replicas || s.Replicas != replicas {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})
}

// apiWrite matches an access-log line of the fake API for a write to HoxtonAi (the
// token endpoint is not HoxtonAi configuration).
var apiWrite = regexp.MustCompile(`(?m)^\S+ (POST|PUT|PATCH|DELETE) /api/v0/\S*`)

// writes lists the HoxtonAi writes the fake API has served so far, from its access
// log (kubectl logs: the kubelet serves it through the kube-apiserver).
func (e *env) writes(t *testing.T) []string {
	t.Helper()
	out := e.kubectl(t, nil, "logs", "-n", fakeNS, "deployment/"+fakeName, "--tail=-1")
	return apiWrite.FindAllString(out, -1)
}
