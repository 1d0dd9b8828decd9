// Package keystone authenticates API callers by their Keystone tokens, as
// keystonemiddleware's auth_token does in front of Neutron: the token in
// X-Auth-Token is validated with Keystone's v3 API (GET /v3/auth/tokens,
// with the service user's own token) and turned into the policy credentials
// Neutron would build from the same token (user, project or domain or system
// scope, role names as Keystone returns them, implied roles included).
//
// Validations are cached up to token_cache_time and never past a token's
// expiry; concurrent requests with one new token cause one validation. When
// Keystone cannot be reached, cached tokens keep working and others are
// answered 503, as keystonemiddleware does; nothing needs restarting when
// Keystone is back.
//
// It must never log or return a token or the service password, and never
// let a caller's request reach the API unauthenticated.
package keystone
