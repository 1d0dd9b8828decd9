package keystone

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxCached bounds the cache, so that a flood of made-up tokens cannot
// grow it without end.
const maxCached = 50000

// cacheKey is a token's SHA-256: the cache never holds tokens themselves.
type cacheKey [sha256.Size]byte

// entry is a cached validation: a token's credentials, or its refusal
// (valid false), until a deadline.
type entry struct {
	tok   validToken
	valid bool
	until time.Time
}

// cache holds validations for a bounded time.
type cache struct {
	mu sync.RWMutex
	m  map[cacheKey]entry
}

func newCache() *cache { return &cache{m: map[cacheKey]entry{}} }

func (c *cache) get(k cacheKey, now time.Time) (entry, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return entry{}, false
	}
	return e, true
}

func (c *cache) put(k cacheKey, e entry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCached {
		for key, old := range c.m {
			if !now.Before(old.until) {
				delete(c.m, key)
			}
		}
		// Still full of live entries: drop some at random (map order).
		for key := range c.m {
			if len(c.m) < maxCached*9/10 {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = e
}
