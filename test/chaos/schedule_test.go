package chaos

import (
	"context"
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
	at   time.Duration
	what string // "kill", "kill-after-write", "throttle", "token-outage", "token-outage-end", "revoke"
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

func newSchedule(seed uint64, p profile) schedule {
	rng := newRand(seed, "schedule")
	at := func(from, to float64) time.Duration {
		return time.Duration((from + rng.Float64()*(to-from)) * float64(p.faultPhase))
	}
	var ev []event
	var wavesAt []time.Duration
	for i := range fleetWaves {
		w := time.Duration(float64(i) / fleetWaves * float64(p.faultPhase))
		wavesAt = append(wavesAt, w)
		ev = append(ev, event{at: w, what: "wave", d: time.Duration(i)})
	}
	for i := range p.kills {
		e := event{at: at(0.05, 0.9), what: "kill", d: time.Duration(200+rng.IntN(1300)) * time.Millisecond}
		if i == 0 {
			// Right after the last wave, past the token outage: writes are under way.
			e.at, e.what = wavesAt[fleetWaves-1]+100*time.Millisecond, "kill-after-write"
		}
		ev = append(ev, e)
	}
	for range p.throttleBurst {
		ev = append(ev, event{at: at(0, 0.9), what: "throttle", d: time.Duration(1+rng.IntN(3)) * time.Second})
	}
	outage := at(0.1, 0.5)
	ev = append(ev, event{at: outage, what: "token-outage"}, event{at: outage + p.tokenOutage, what: "token-outage-end"},
		event{at: at(0.2, 0.8), what: "revoke"})
	slices.SortFunc(ev, func(a, b event) int { return int(a.at - b.at) })
	return schedule{events: ev, waves: wavesAt, phase: max(p.faultPhase, outage+p.tokenOutage+time.Second)}
}

type killCount struct{ total, afterWrite int }

// play runs the schedule against the running manager; it returns the kills made.
// Every wait is bounded by the phase and a kill's restart pause.
func (s schedule) play(t *testing.T, env *testenv.Env, api *hoxtontest.Server, proxy *faultProxy, crash *crashAfterWrite, opts operator.Options,
	parts [][]client.Object, kube client.Client) killCount {
	start := time.Now()
	var kills killCount
	restart := func(pause time.Duration) {
		must(t, env.StopManager())
		time.Sleep(pause) // the manager is down: its pod is being rescheduled
		must(t, env.StartManager(opts))
		kills.total++
	}
	for _, e := range s.events {
		time.Sleep(time.Until(start.Add(e.at)))
		switch e.what {
		case "wave":
			must(t, testenv.CreateAll(context.Background(), kube, parts[int(e.d)]))
		case "kill":
			restart(e.d)
		case "kill-after-write":
			crash.arm()
			select {
			case <-crash.crashed:
				kills.afterWrite++
			case <-time.After(30 * time.Second):
				crash.armed.Store(false)
				t.Logf("no API write followed by a status write within 30s; killing anyway")
			}
			restart(e.d)
		case "throttle":
			proxy.throttle(e.d, time.Second)
		case "token-outage":
			api.SetTokenOutage(true)
		case "token-outage-end":
			api.SetTokenOutage(false)
		case "revoke":
			api.RevokeAllTokens()
		}
		t.Logf("%6.1fs %s", time.Since(start).Seconds(), e.what)
	}
	time.Sleep(time.Until(start.Add(s.phase)))
	return kills
}
