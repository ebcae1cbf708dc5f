package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Idempotency keys. A client that may send a write twice (a retry after a
// timeout) sends a key of its own with it; the server remembers the key
// with a hash of the request and the write's result, so the same key again
// returns the first result and changes nothing, and the same key with other
// arguments is refused (CodeIdempotencyKeyReused). Keys belong to their
// caller: two callers' equal keys are two keys.

// IdempotencyKeyHash is how a caller's key is stored: SHA-256 of the owner
// (ActorOf the caller) and the key, in hex. Keys are not secrets, but
// hashing bounds their size and keeps one caller's from matching another's.
func IdempotencyKeyHash(owner, key string) string {
	sum := sha256.Sum256([]byte(owner + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// RequestHash is the fingerprint of a request's arguments: SHA-256 of
// their JSON, in hex. Give it the decoded arguments (IDs as numbers, not
// as the client spelled them), so that equal requests hash equally.
func RequestHash(args any) string {
	b, err := json.Marshal(args)
	if err != nil {
		// Arguments are plain data; a value JSON cannot encode is a bug.
		panic("model.RequestHash: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
