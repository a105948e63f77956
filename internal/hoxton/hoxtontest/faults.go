package hoxtontest

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching API requests fail. Faults apply to /api/v0 paths only,
// never to the token endpoint (use SetTokenOutage for that), and are matched
// after authentication, so a request without a valid token still answers 401.
type Fault struct {
	Method     string        // "" = any
	PathPrefix string        // matched against the path after /api/v0, e.g. "/sites"; "" = any
	ClientID   string        // the OAuth client the request's token was issued to; "" = any
	Status     int           // e.g. 500, 503, 429; 0 means 500
	RetryAfter time.Duration // sets Retry-After (whole seconds, rounded up) when > 0
	Count      int           // how many requests it hits; 0 = until removed
	Rate       float64       // probability per matching request in (0,1]; 0 means 1
	Message    string        // the error body's message; "" = "injected fault: <status text>"
	// Body, when set, is answered as it is with Status instead of an error body: a
	// hostile server's answer, such as a 200 holding a list of a million objects.
	Body string
}

// AddFault installs a fault. When several faults match a request, the one
// added first answers it.
func (s *Server) AddFault(f Fault) {
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = nil
}

// SetLatency delays every API request by d before it is handled (0 disables).
func (s *Server) SetLatency(d time.Duration) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.latency = d
}

// wait sleeps for the configured latency, or less if the client goes away.
func (s *Server) wait(ctx context.Context) {
	s.faultMu.Lock()
	d := s.latency
	s.faultMu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// takeFault returns the fault that hits this request, if any, consuming one
// of its Count. A fault whose Count is used up is removed.
func (s *Server) takeFault(method, path, clientID string) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || !strings.HasPrefix(path, f.PathPrefix) || (f.ClientID != "" && f.ClientID != clientID) {
			continue
		}
		if f.Rate > 0 && f.Rate < 1 && rand.Float64() >= f.Rate {
			continue
		}
		hit := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return hit, true
	}
	return Fault{}, false
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	msg := f.Message
	if msg == "" {
		msg = "injected fault: " + http.StatusText(f.Status)
	}
	writeError(w, f.Status, msg)
}
