package store

// Keys, activations and signing keys (issue 4): the schema, the change
// feed kinds and the audit actions they share. The operations are in
// signing.go, keyvendor.go, keyops.go, activations.go and leases.go.

import "github.com/licdesk/licdesk/api"

// schemaKeys is migration 2.
//
// serials and upgrade_notices are what the vendor issues; keys are what
// accounts hold (account_id is NULL for a key issued but not yet added to
// an account, e.g. printed on a certificate); activations bind a key to a
// machine; activation_nonces remembers every request nonce ever answered,
// so that a request file is answered once. signing_keys holds the portal's
// Ed25519 keys in the database rather than in files, because several
// portal instances share one PostgreSQL and must sign with the same key;
// the partial unique index keeps at most one active.
var schemaKeys = []string{
	`CREATE TABLE signing_keys (
		kid TEXT PRIMARY KEY,
		private_key {{blob}} NOT NULL,
		public_key {{blob}} NOT NULL,
		active BOOLEAN NOT NULL,
		created_at BIGINT NOT NULL,
		retired_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(active) WHERE active`,
	`CREATE TABLE serials (
		serial TEXT PRIMARY KEY,
		product TEXT NOT NULL,
		edition TEXT NOT NULL,
		modules TEXT NOT NULL,
		kind TEXT NOT NULL,
		capacity INTEGER NOT NULL,
		unit TEXT NOT NULL,
		max_activations INTEGER NOT NULL,
		months INTEGER NOT NULL,
		created_at BIGINT NOT NULL,
		used_at BIGINT NOT NULL DEFAULT 0,
		used_key TEXT NOT NULL DEFAULT '')`,
	`CREATE TABLE keys (
		key TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		account_id TEXT REFERENCES accounts(id),
		product TEXT NOT NULL,
		edition TEXT NOT NULL,
		modules TEXT NOT NULL,
		capacity INTEGER NOT NULL,
		unit TEXT NOT NULL,
		max_activations INTEGER NOT NULL,
		source TEXT NOT NULL,
		serial TEXT NOT NULL DEFAULT '',
		notification_id TEXT NOT NULL DEFAULT '',
		registration TEXT NOT NULL DEFAULT '',
		issued_at BIGINT NOT NULL,
		added_at BIGINT NOT NULL DEFAULT 0,
		expiry BIGINT NOT NULL DEFAULT 0,
		renewed BOOLEAN NOT NULL DEFAULT FALSE)`,
	`CREATE INDEX keys_account ON keys(account_id, product)`,
	`CREATE TABLE upgrade_notices (
		id TEXT PRIMARY KEY,
		account_id TEXT NOT NULL REFERENCES accounts(id),
		from_key TEXT NOT NULL DEFAULT '',
		offers TEXT NOT NULL,
		max_quantity INTEGER NOT NULL,
		created_at BIGINT NOT NULL,
		used_at BIGINT NOT NULL DEFAULT 0,
		used_key TEXT NOT NULL DEFAULT '')`,
	`CREATE TABLE activations (
		id TEXT PRIMARY KEY,
		key TEXT NOT NULL REFERENCES keys(key),
		account_id TEXT NOT NULL REFERENCES accounts(id),
		machine TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		mode TEXT NOT NULL,
		nonce TEXT NOT NULL,
		secret {{blob}} NOT NULL,
		activated_at BIGINT NOT NULL,
		deactivated_at BIGINT NOT NULL DEFAULT 0,
		deactivated_by TEXT NOT NULL DEFAULT '')`,
	`CREATE INDEX activations_key ON activations(key, activated_at)`,
	`CREATE INDEX activations_account ON activations(account_id)`,
	`CREATE TABLE activation_nonces (
		nonce TEXT PRIMARY KEY,
		activation_id TEXT NOT NULL REFERENCES activations(id),
		used_at BIGINT NOT NULL)`,
}

// The audit actions of keys. Activations use core's (activation.activate,
// activation.deactivate).
const (
	auditKeyGet     = "key.get"     // a serial became a key
	auditKeyUpgrade = "key.upgrade" // an upgrade notification became a key
	auditKeyAdd     = "key.add"     // a key was added to an account
	auditKeyRenew   = "key.renew"   // the vendor changed a key's subscription
)

// keyViewers render one key or activation for the change feed.
func (s *Store) keyViewers() map[string]viewer {
	return map[string]viewer{
		api.KindKey:        s.keyView,
		api.KindActivation: s.activationView,
	}
}

// keyListers are the snapshot stages of keys and activations. Append only:
// a cursor names a stage by position.
func (s *Store) keyListers() []kindLister {
	return []kindLister{
		{api.KindKey, s.listKeys},
		{api.KindActivation, s.listActivations},
	}
}
