// Package sync is License Desk's client side of the portal: the HTTP client
// (Client), the offline copy of everything the user may see (Cache), the
// outbox that makes every write survive being offline or killed, and the
// background loop that keeps them in step (Scheduler).
//
// The command line and the window both sit on this package: a command opens
// a Cache and a Syncer, runs one round, reads the cache and exits; the window
// runs a Scheduler for as long as it is open and redraws on its events.
//
// How a write travels: Syncer.Submit stores it in the outbox with a random
// idempotency key and applies its expected effect to the cached objects in
// the same transaction, so that every reader sees it at once. Push sends it
// with that key until the portal answers; the portal records the key in the
// transaction of the write, so a replay after a crash or a lost answer
// returns the first answer instead of applying the write twice. A refusal
// (a 4xx problem) marks the write failed with its reason and drops its
// effect from the cache; an acceptance keeps the effect until the next pull
// has brought the portal's own version of the objects.
//
// How the cache stays right under optimistic writes: each cached object
// keeps the portal's version (base) apart from what is shown (data) while
// writes that touch it are in flight; data is always base with those writes
// applied in order, recomputed whenever base or the set of writes changes.
//
// This package never imports the portal: it speaks only the wire contract of
// package api.
package sync
