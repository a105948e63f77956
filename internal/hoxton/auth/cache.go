package auth

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Defaults for Options fields left zero.
const (
	defaultHTTPTimeout      = 30 * time.Second
	defaultBreakerThreshold = 3
	defaultBreakerCooldown  = 15 * time.Minute
	// keepAliases bounds the keys remembered for a Source across refresh
	// token rotations: the original key (a caller without onRotate keeps
	// presenting it) plus the latest ones.
	keepAliases = 3
)

// Options tune a Cache and the Sources it creates.
type Options struct {
	// HTTPClient is used for the token endpoint, e.g. with a custom CA.
	// Default: a client with a 30s timeout and the default transport.
	HTTPClient *http.Client
	// RefreshBefore is how long before expiry a token is replaced. Default:
	// 10% of the token's lifetime, at most 10 minutes. It is capped at half
	// the lifetime so that a large value cannot cause a refresh per call.
	RefreshBefore time.Duration
	// BreakerThreshold is the number of consecutive rejections that opens
	// the circuit. Default 3.
	BreakerThreshold int
	// BreakerCooldown is how long an open circuit fails fast before it lets
	// one probe request through (half-open). Default 15 minutes.
	BreakerCooldown time.Duration
	// Now is the clock, replaceable in tests. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if o.BreakerThreshold <= 0 {
		o.BreakerThreshold = defaultBreakerThreshold
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = defaultBreakerCooldown
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Cache holds one Source per set of credentials, so that every reconcile
// using the same credentials shares one token. It is safe for concurrent use.
type Cache struct {
	ctx  context.Context
	opts Options

	mu         sync.Mutex
	byKey      map[string]*Source // Credentials.Key, including rotation aliases
	byIdentity map[string]*Source // the current Source of each identity
}

// NewCache returns an empty Cache. ctx must be long-lived (the manager's):
// token requests run under it, so they are not cancelled when the request
// that triggered them ends, and they stop when the manager shuts down.
func NewCache(ctx context.Context, opts Options) *Cache {
	opts = opts.withDefaults()
	return &Cache{
		ctx:        context.WithValue(ctx, oauth2.HTTPClient, opts.HTTPClient),
		opts:       opts,
		byKey:      make(map[string]*Source),
		byIdentity: make(map[string]*Source),
	}
}

// Source returns the one Source for these credentials, creating it on first
// use. onRotate (may be nil) receives a rotated refresh token so the caller
// can persist it; a later non-nil onRotate replaces an earlier one. After a
// rotation, credentials carrying the new refresh token map to the same
// Source, so persisting it does not cause a token request. Credentials with
// the same identity (grant, token URL, audience, client ID, username) but
// different secrets or scopes replace the old Source, which gives new
// credentials a closed circuit breaker. Invalid credentials get a Source
// whose Token returns the KindMisconfigured error.
func (c *Cache) Source(creds Credentials, onRotate func(newRefreshToken string)) *Source {
	key := creds.Key()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.byKey[key]; s != nil {
		s.setOnRotate(onRotate)
		return s
	}
	id := creds.identity()
	if old := c.byIdentity[id]; old != nil {
		for _, k := range old.keys {
			delete(c.byKey, k)
		}
	}
	creds.Scopes = append([]string(nil), creds.Scopes...) // the caller may reuse its slice
	s := newSource(c.ctx, c.opts, creds, onRotate)
	s.cache = c
	s.identity = id
	s.keys = []string{key}
	c.byKey[key] = s
	c.byIdentity[id] = s
	return s
}

// Len returns the number of Sources in the cache.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byIdentity)
}

// String describes the cache without its contents.
func (c *Cache) String() string { return fmt.Sprintf("auth.Cache{Sources: %d}", c.Len()) }

// GoString is String, so that %#v cannot reveal secrets.
func (c *Cache) GoString() string { return c.String() }

// Format makes every fmt verb print the redacted String.
func (c *Cache) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// alias maps the credentials carrying a rotated refresh token to s, unless s
// has been replaced in the meantime.
func (c *Cache) alias(s *Source, next Credentials) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byIdentity[s.identity] != s {
		return
	}
	key := next.Key()
	if c.byKey[key] == s {
		return
	}
	c.byKey[key] = s
	s.keys = append(s.keys, key)
	if len(s.keys) > keepAliases {
		stale := s.keys[1]
		if c.byKey[stale] == s {
			delete(c.byKey, stale)
		}
		s.keys = append(s.keys[:1], s.keys[2:]...)
	}
}
