package chaos

import (
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// faultProxy stands between the manager and a fake HoxtonAi API on 127.0.0.1 and,
// while on, injects the API faults of the chaos run from a seeded random source:
// 5xx answers, bursts of 429 with Retry-After, and latency spikes. It counts the API
// requests and the writes the fake accepted, and remembers every bearer token it
// saw, so that the run can look for them where they must not be.
type faultProxy struct {
	srv *httptest.Server

	mu            sync.Mutex
	rng           *rand.Rand
	on            bool
	throttleUntil time.Time
	throttleFor   time.Duration
	tokens        map[string]bool
	// unhang, while set, holds every request until it is closed (setHang).
	unhang chan struct{}

	requests, writes, injected atomic.Int64
	// held counts the requests a hang held.
	held atomic.Int64
}

// The fault mix while the faults are on.
const (
	errorRate = 0.10
	spikeRate = 0.05
	minSpike  = 500 * time.Millisecond
	maxSpike  = 2 * time.Second
)

func newFaultProxy(target string, seed uint64) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	p := &faultProxy{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), tokens: map[string]bool{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	// A request the manager gave up on (a kill, a timeout) is no news: the run's
	// output is its figures.
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = func(resp *http.Response) error {
		if isWrite(resp.Request.Method) && resp.StatusCode < 300 && isAPI(resp.Request.URL.Path) {
			p.writes.Add(1)
		}
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unhang := p.hanging(); unhang != nil {
			p.held.Add(1)
			select {
			case <-unhang:
			case <-r.Context().Done():
				return
			}
		}
		if isAPI(r.URL.Path) {
			p.requests.Add(1)
			if status, retry, delay := p.decide(r); status != 0 {
				p.injected.Add(1)
				if retry > 0 {
					w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(`{"code":` + strconv.Itoa(status) + `,"message":"chaos: injected fault"}`))
				return
			} else if delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	return p
}

// decide draws the fate of one request: an injected status (with Retry-After), or a
// delay before it is forwarded.
func (p *faultProxy) decide(r *http.Request) (int, time.Duration, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		p.tokens[tok] = true
	}
	if !p.on {
		return 0, 0, 0
	}
	if time.Now().Before(p.throttleUntil) {
		return http.StatusTooManyRequests, p.throttleFor, 0
	}
	switch x := p.rng.Float64(); {
	case x < errorRate:
		return []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[p.rng.IntN(3)], 0, 0
	case x < errorRate+spikeRate:
		return 0, 0, minSpike + time.Duration(p.rng.Int64N(int64(maxSpike-minSpike)))
	}
	return 0, 0, 0
}

// setOn turns the faults on or off.
func (p *faultProxy) setOn(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.on = on
	if !on {
		p.throttleUntil = time.Time{}
	}
}

// throttle answers 429 with Retry-After retry to every API request for d.
func (p *faultProxy) throttle(d, retry time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttleUntil, p.throttleFor = time.Now().Add(d), retry
}

// setHang makes the whole service, token endpoint included, hang: every request
// waits, without an answer, until the hang ends or its caller gives up.
func (p *faultProxy) setHang(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.unhang == nil:
		p.unhang = make(chan struct{})
	case !on && p.unhang != nil:
		close(p.unhang)
		p.unhang = nil
	}
}

func (p *faultProxy) hanging() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unhang
}

// seenTokens returns the bearer tokens the manager sent.
func (p *faultProxy) seenTokens() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.tokens))
	for t := range p.tokens {
		out = append(out, t)
	}
	return out
}

func (p *faultProxy) close() { p.srv.Close() }

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }

func isWrite(method string) bool {
	return method == http.MethodPut || method == http.MethodPost || method == http.MethodDelete || method == http.MethodPatch
}
