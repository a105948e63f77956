package hoxtontest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ItemPutAnswers makes PUT of an item of collection answer status, e.g. 405
// for PUT /cameras/{id} on a service without camera updates: it breaks A4.
func ItemPutAnswers(collection string, status int) Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if ok && r.Method == http.MethodPut && len(segs) == 2 && segs[0] == collection {
				writeError(w, status, "variant: PUT of an item answers "+strconv.Itoa(status))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ItemGetEdits lets edit change what GET of an item of collection ("" for
// every collection) answers: the stored object stays as it is.
func ItemGetEdits(collection string, edit func(o map[string]any)) Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if !ok || r.Method != http.MethodGet || len(segs) != 2 || (collection != "" && segs[0] != collection) {
				next.ServeHTTP(w, r)
				return
			}
			rewrite(w, r, next, func(status int, body []byte) []byte {
				var o map[string]any
				if status != http.StatusOK || json.Unmarshal(body, &o) != nil {
					return body
				}
				edit(o)
				out, _ := json.Marshal(o)
				return out
			})
		})
	}
}

// ItemGetWithout makes GET of an item of collection ("" for every one)
// answer without fields: without "id" (and "clientId", …) it breaks A16,
// without a monitor link's direction1Maps/direction2Maps A5, without an
// alert's configurationDetails A9.
func ItemGetWithout(collection string, fields ...string) Variant {
	return ItemGetEdits(collection, func(o map[string]any) {
		for _, f := range fields {
			delete(o, f)
		}
	})
}

// WebhookAsString makes GETs answer a webhook as its URL string instead of
// the object {"url": …}: it breaks A10.
func WebhookAsString() Variant {
	return ItemGetEdits("", func(o map[string]any) {
		if wh, ok := o["webhook"].(map[string]any); ok {
			o["webhook"] = wh["url"]
		}
	})
}

// AnnotationROIBare makes GET of an annotation answer its roi as the bare
// outline ring, not a GeoJSON geometry: it breaks A12.
func AnnotationROIBare() Variant {
	return ItemGetEdits("annotations", func(o map[string]any) {
		if roi, ok := o["roi"].(map[string]any); ok {
			if rings, ok := roi["coordinates"].([]any); ok && len(rings) > 0 {
				o["roi"] = rings[0]
			}
		}
	})
}

// AnnotationPixels makes GET of an annotation answer its positions in
// pixels of a 1920x1080 frame: it breaks A13.
func AnnotationPixels() Variant {
	var scale func(v any, i int) any
	scale = func(v any, i int) any {
		switch x := v.(type) {
		case float64:
			return x * []float64{1920, 1080}[i%2]
		case []any:
			for j := range x {
				x[j] = scale(x[j], j)
			}
		case map[string]any:
			x["coordinates"] = scale(x["coordinates"], 0)
		}
		return v
	}
	return ItemGetEdits("annotations", func(o map[string]any) { o["roi"] = scale(o["roi"], 0) })
}

// TokenJSONRefused makes the token endpoint refuse JSON bodies (400
// invalid_request), as a form-only endpoint would: it breaks A6.
func TokenJSONRefused() Variant {
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if r.URL.Path == "/oauth/token" && mt == "application/json" {
				writeOAuthError(w, oauthErr(http.StatusBadRequest, "invalid_request", "variant: JSON bodies are not accepted"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ThrottleOnce answers the first API request of method on a path starting
// with apiPrefix+prefix with 429 and the given Retry-After: with a value
// that is neither seconds nor a date it breaks A7.
func ThrottleOnce(method, prefix, retryAfter string) Variant {
	var done atomic.Bool
	return func(_ *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == method && len(r.URL.Path) >= len(apiPrefix+prefix) && r.URL.Path[:len(apiPrefix+prefix)] == apiPrefix+prefix && done.CompareAndSwap(false, true) {
				w.Header().Set("Retry-After", retryAfter)
				writeError(w, http.StatusTooManyRequests, "variant: throttled")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ownerLinks are the link collections of each owner collection, with the
// field naming the owner, for OwnerDeleteCascades.
var ownerLinks = map[string][]struct{ collection, field string }{
	"notification-groups":   {{"notification-group-notification-groups", "parentId"}, {"alert-notification-group-mappings", "notificationGroupId"}},
	"people-count-monitors": {{"people-count-monitor-camera-positions", "peopleCountMonitorId"}},
	"alerts": {{"alert-notification-group-mappings", "alertId"}, {"alert-camera-position-mappings", "alertId"},
		{"alert-occupancy-monitor-mappings", "alertId"}},
}

// OwnerDeleteCascades makes DELETE of an owner (notification group, people
// count monitor, alert) soft-delete its links too, and a later DELETE of
// such a link answer linkStatus. With 410 (or 404) this is a cascading
// service A11 allows; with anything else it breaks A11.
func OwnerDeleteCascades(linkStatus int) Variant {
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if !ok || r.Method != http.MethodDelete || len(segs) != 2 {
				next.ServeHTTP(w, r)
				return
			}
			if o, found := s.Object(segs[0], segs[1]); found && isDeleted(o) && collections[segs[0]].softDelete {
				writeError(w, linkStatus, "variant: the object went with its owner")
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == http.StatusNoContent {
				for _, l := range ownerLinks[segs[0]] {
					for _, o := range s.Objects(l.collection) {
						if o[l.field] == segs[1] && !isDeleted(o) {
							s.PatchObject(l.collection, o["id"].(string), map[string]any{"state": "deleted", "deletedAt": timestamp(time.Now())})
						}
					}
				}
			}
			replay(w, rec, rec.Body.Bytes())
		})
	}
}

// RotationKeepsOldSecret makes the token endpoint keep accepting an OAuth
// client's secret from before PUT /oauth-clients/{id}/rotate-secret: it
// breaks A15. Only form bodies are recognised.
func RotationKeepsOldSecret() Variant {
	var mu sync.Mutex
	old := map[string]string{} // clientId -> a secret from before a rotation
	return func(s *Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := apiSegments(r.URL.Path)
			if ok && r.Method == http.MethodPut && len(segs) == 3 && segs[0] == "oauth-clients" && segs[2] == "rotate-secret" {
				if c, found := s.Object("oauth-clients", segs[1]); found {
					mu.Lock()
					old[segs[1]], _ = c["clientSecret"].(string)
					mu.Unlock()
				}
			}
			if r.URL.Path == "/oauth/token" && r.Method == http.MethodPost {
				body, _ := io.ReadAll(r.Body)
				if form, err := url.ParseQuery(string(body)); err == nil {
					id := form.Get("client_id")
					mu.Lock()
					stale := old[id] != "" && old[id] == form.Get("client_secret")
					mu.Unlock()
					if c, found := s.Object("oauth-clients", id); stale && found {
						form.Set("client_secret", c["clientSecret"].(string))
						body = []byte(form.Encode())
					}
				}
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			}
			next.ServeHTTP(w, r)
		})
	}
}
