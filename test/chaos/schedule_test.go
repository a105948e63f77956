package chaos

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
	"github.com/hoxton-operator/hoxton-operator/internal/operator"
	"github.com/hoxton-operator/hoxton-operator/internal/testenv"
)

// event is one scheduled fault, at an offset from the start of the fault phase.
type event struct {
	at time.Duration
	// "wave", "kill", "kill-after-write", "throttle", "token-outage", "token-outage-end", "revoke",
	// "standby", "handover", "kube-outage", "hang"
	what string
	d    time.Duration
}

// schedule is the fault phase's events, drawn from the seed. The fleet is applied
// in waves over the phase, so that every fault meets objects converging.
type schedule struct {
	events []event
	waves  []time.Duration
	phase  time.Duration
}

// fleetWaves is how many parts the fleet is applied in.
const fleetWaves = 5

// waves splits objs into n parts, in order.
func waves(objs []client.Object, n int) [][]client.Object {
	out := make([][]client.Object, n)
	for i, o := range objs {
		w := i * n / len(objs)
		out[w] = append(out[w], o)
	}
	return out
}

// drawAt returns a function drawing a time between from and to, as fractions of phase.
func drawAt(rng *rand.Rand, phase time.Duration) func(from, to float64) time.Duration {
	return func(from, to float64) time.Duration {
		return time.Duration((from + rng.Float64()*(to-from)) * float64(phase))
	}
}

// waveEvents spreads the fleet's waves evenly over phase, and returns them and their times.
func waveEvents(phase time.Duration) ([]event, []time.Duration) {
	var ev []event
	var wavesAt []time.Duration
	for i := range fleetWaves {
		w := time.Duration(float64(i) / fleetWaves * float64(phase))
		wavesAt = append(wavesAt, w)
		ev = append(ev, event{at: w, what: "wave", d: time.Duration(i)})
	}
	return ev, wavesAt
}

// tokenAndThrottleEvents draws bursts 429 bursts of 1 to 3 s, a token outage of
// tokenOutage and a revocation of every token; it returns them and when the outage starts.
func tokenAndThrottleEvents(rng *rand.Rand, at func(from, to float64) time.Duration, bursts int, tokenOutage time.Duration) ([]event, time.Duration) {
	var ev []event
	for range bursts {
		ev = append(ev, event{at: at(0, 0.9), what: "throttle", d: time.Duration(1+rng.IntN(3)) * time.Second})
	}
	outage := at(0.1, 0.5)
	return append(ev, event{at: outage, what: "token-outage"}, event{at: outage + tokenOutage, what: "token-outage-end"},
		event{at: at(0.2, 0.8), what: "revoke"}), outage
}

func newSchedule(seed uint64, p profile) schedule {
	rng := newRand(seed, "schedule")
	at := drawAt(rng, p.faultPhase)
	ev, wavesAt := waveEvents(p.faultPhase)
	for i := range p.kills {
		e := event{at: at(0.05, 0.9), what: "kill", d: time.Duration(200+rng.IntN(1300)) * time.Millisecond}
		if i == 0 {
			// Right after the last wave, past the token outage: writes are under way.
			e.at, e.what = wavesAt[fleetWaves-1]+100*time.Millisecond, "kill-after-write"
		}
		ev = append(ev, e)
	}
	faults, outage := tokenAndThrottleEvents(rng, at, p.throttleBurst, p.tokenOutage)
	ev = append(ev, faults...)
	// A rolling update in the middle of the third wave: the new manager starts, the
	// old one stops and releases the lease. The Kubernetes API goes down after it.
	mid := wavesAt[2]
	ev = append(ev, event{at: mid + 100*time.Millisecond, what: "standby"}, event{at: mid + time.Second, what: "handover"})
	kubeOutage := at(0.5, 0.7)
	ev = append(ev, event{at: kubeOutage, what: "kube-outage", d: p.kubeOutage})
	// One tenant's service hangs from the start, while the fleet converges.
	ev = append(ev, event{at: 0, what: "hang"})
	slices.SortStableFunc(ev, func(a, b event) int { return int(a.at - b.at) })
	end := max(p.faultPhase, outage+p.tokenOutage+time.Second, kubeOutage+p.kubeOutage+time.Second)
	return schedule{events: ev, waves: wavesAt, phase: end}
}

// played is what the schedule did.
type played struct {
	kills, afterWrite int
	// handover is how long the fleet had no leader during the rolling update.
	handover time.Duration
	// kubeDown is how long the Kubernetes API was unreachable for the managers.
	kubeDown time.Duration
}

// stage is what the schedule acts on.
type stage struct {
	env   *testenv.Env
	kube  client.Client
	api   *hoxtontest.Server
	proxy *faultProxy
	crash *crashAfterWrite
	opts  operator.Options
	// ns is the fleet's namespace.
	ns string
	// link cuts the managers off the Kubernetes API.
	link *testenv.KubeLink
	// parts are the fleet's waves.
	parts [][]client.Object
	// hung is the tenant whose service hangs, and its objects.
	hung     *faultProxy
	hungObjs []client.Object
}

// managerDownFor bounds how long a manager may fail to start: while the Kubernetes
// API is down it cannot, and is tried again as a crash-looping pod would be.
const managerDownFor = 3 * time.Minute

// play runs the schedule against the running manager; it returns what it did.
// Every wait is bounded by the phase, a kill's restart pause and managerDownFor.
func (s schedule) play(t *testing.T, st stage) played {
	start := time.Now()
	var did played
	// The Kubernetes API comes back on its own time: a kill meanwhile waits for it.
	kubeBack := make(chan time.Duration, 1)
	kubeBack <- 0
	startManager := func(run func(operator.Options) error) {
		deadline := time.Now().Add(managerDownFor)
		for err := run(st.opts); err != nil; err = run(st.opts) {
			if time.Now().After(deadline) {
				t.Fatalf("the manager could not start for %s: %v", managerDownFor, err)
			}
			time.Sleep(time.Second)
		}
	}
	restart := func(pause time.Duration) {
		must(t, st.env.StopManager())
		time.Sleep(pause) // the manager is down: its pod is being rescheduled
		startManager(st.env.StartManager)
		did.kills++
	}
	for _, e := range s.events {
		time.Sleep(time.Until(start.Add(e.at)))
		switch e.what {
		case "wave":
			must(t, testenv.CreateAll(context.Background(), st.kube, st.parts[int(e.d)]))
		case "kill":
			restart(e.d)
		case "kill-after-write":
			// No status write can follow an API write while the Kubernetes API is
			// down: wait until it is back, when the wave's objects are reconciled.
			back := <-kubeBack
			kubeBack <- back
			st.crash.arm()
			select {
			case <-st.crash.crashed:
				did.afterWrite++
			case <-time.After(30 * time.Second):
				st.crash.armed.Store(false)
				fl, err := testenv.Fleet(context.Background(), st.kube, st.ns)
				t.Logf("no API write followed by a status write within 30s; killing anyway (%d of %d in sync, e.g. %v; %v)",
					fl.InSync, fl.Total, fl.NotInSync, err)
			}
			restart(e.d)
		case "throttle":
			st.proxy.throttle(e.d, time.Second)
		case "token-outage":
			st.api.SetTokenOutage(true)
		case "token-outage-end":
			st.api.SetTokenOutage(false)
		case "revoke":
			st.api.RevokeAllTokens()
		case "standby":
			startManager(st.env.StartStandby)
		case "handover":
			var err error
			did.handover, err = st.env.HandOver(handoverWithin)
			must(t, err)
		case "kube-outage":
			<-kubeBack
			st.link.Down()
			go func(d time.Duration) {
				down := time.Now()
				time.Sleep(d)
				if err := st.link.Up(); err != nil {
					t.Errorf("restoring the Kubernetes API: %v", err)
				}
				kubeBack <- time.Since(down)
			}(e.d)
		case "hang":
			st.hung.setHang(true)
			must(t, testenv.CreateAll(context.Background(), st.kube, st.hungObjs))
		}
		t.Logf("%6.1fs %s", time.Since(start).Seconds(), e.what)
	}
	time.Sleep(time.Until(start.Add(s.phase)))
	did.kubeDown = <-kubeBack
	return did
}

// handoverWithin bounds a handover: the standby retries the released lease every
// two seconds (controller-runtime's RetryPeriod).
const handoverWithin = 15 * time.Second
