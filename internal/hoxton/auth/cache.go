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
	o.HTTPClient = WithoutRedirects(o.HTTPClient)
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
	byKey      map[string]*Source // Credentials.Key of each Source's current credentials
	byIdentity map[string]*Source // the current Source of each identity
	byOwner    map[string]*Source // Sources of SourceFor, one per owner

	// pending counts rotations being saved, for Flush.
	pending pendingSaves
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
		byOwner:    make(map[string]*Source),
	}
}

// Source returns the one Source for these credentials, creating it on first
// use. onRotate (may be nil) receives a rotated refresh token so the caller
// can persist it, before the new access token is handed out; a later non-nil
// onRotate replaces an earlier one. After a rotation only credentials
// carrying the new refresh token map to the Source: the replaced one is
// forgotten, so a leaked, already rotated refresh token cannot get tokens
// from the cache. Credentials with the same identity (dialect, grant, URLs,
// audience, client ID, username) but different secrets or scopes replace the
// old Source, which gives new credentials a closed circuit breaker. Invalid
// credentials get a Source whose Token returns the KindMisconfigured error.
func (c *Cache) Source(creds Credentials, onRotate func(newRefreshToken string)) *Source {
	var persist Persist
	if onRotate != nil {
		persist = func(_ context.Context, r Rotation) error { onRotate(r.RefreshToken); return nil }
	}
	key := creds.Key()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.byKey[key]; s != nil {
		s.setPersist(persist)
		return s
	}
	id := creds.identity()
	if old := c.byIdentity[id]; old != nil {
		for _, k := range old.keys {
			delete(c.byKey, k)
		}
	}
	s := c.newSourceLocked(creds, persist)
	s.identity = id
	s.keys = []string{key}
	c.byKey[key] = s
	c.byIdentity[id] = s
	return s
}

// SourceOptions configure a Source of SourceFor.
type SourceOptions struct {
	// HTTPClient is used for the token endpoint; nil is the Cache's client.
	HTTPClient *http.Client
	// Persist saves rotated refresh tokens; see Persist.
	Persist Persist
}

// SourceFor returns the one Source of owner (a Connection), so that no two
// owners share tokens even with the same credentials: a leaked copy of one
// owner's credentials in another owner gets nothing from the cache. The
// owner's Source is kept while creds continue it (same identity and secrets,
// and a refresh token it holds or just replaced); otherwise a new Source
// replaces it and the old one is returned as replaced, for the caller to
// revoke.
func (c *Cache) SourceFor(owner string, creds Credentials, opts SourceOptions) (s, replaced *Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.byOwner[owner]; cur != nil {
		if cur.continues(creds) {
			cur.mu.Lock()
			if opts.HTTPClient != nil {
				cur.http = WithoutRedirects(opts.HTTPClient)
			}
			if opts.Persist != nil {
				cur.persist = opts.Persist
			}
			cur.mu.Unlock()
			return cur, nil
		}
		replaced = cur
	}
	s = c.newSourceLocked(creds, opts.Persist)
	if opts.HTTPClient != nil {
		s.http = WithoutRedirects(opts.HTTPClient)
	}
	s.owner = owner
	c.byOwner[owner] = s
	return s, replaced
}

// Forget drops owner's Source and returns it (nil if there was none), for
// the caller to revoke its tokens.
func (c *Cache) Forget(owner string) *Source {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.byOwner[owner]
	delete(c.byOwner, owner)
	return s
}

// Flush waits until every rotated refresh token being saved is saved or has
// used up its attempts, or ctx ends. Call it on shutdown after the Cache's
// context ended: pending saves then get FlushGrace more time.
func (c *Cache) Flush(ctx context.Context) error {
	return c.pending.wait(ctx)
}

func (c *Cache) newSourceLocked(creds Credentials, persist Persist) *Source {
	creds.Scopes = append([]string(nil), creds.Scopes...) // the caller may reuse its slice
	s := newSource(c.ctx, c.opts, creds, persist)
	s.cache = c
	return s
}

// Len returns the number of Sources in the cache.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byIdentity) + len(c.byOwner)
}

// String describes the cache without its contents.
func (c *Cache) String() string { return fmt.Sprintf("auth.Cache{Sources: %d}", c.Len()) }

// GoString is String, so that %#v cannot reveal secrets.
func (c *Cache) GoString() string { return c.String() }

// Format makes every fmt verb print the redacted String.
func (c *Cache) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// rotated maps the credentials carrying a rotated refresh token to s, and
// forgets every key that led to it before: the refresh token a rotation
// replaced must not get tokens from the cache.
func (c *Cache) rotated(s *Source, next Credentials) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.owner != "" || c.byIdentity[s.identity] != s {
		return
	}
	for _, k := range s.keys {
		if c.byKey[k] == s {
			delete(c.byKey, k)
		}
	}
	key := next.Key()
	c.byKey[key] = s
	s.keys = []string{key}
}
