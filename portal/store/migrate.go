package store

import (
	"context"
	"fmt"
	"strings"
)

// migration is one versioned step of the schema. Statements use "{{id}}"
// for an auto-incrementing primary key and "{{blob}}" for bytes, which the
// dialect spells its own way.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations are applied in order, each once, in its own transaction.
// Never edit a released migration: add a new one.
var migrations = []migration{
	{1, "accounts, licenses and seats", schemaAccounts},
	{2, "keys, activations and signing keys", schemaKeys},
	{3, "downloads, support requests and news", schemaContent},
	{4, "activation re-binds and signing key revocation", schemaHolds},
	{5, "verified addresses, membership offers, shared limits, mail claims", schemaTrust},
	{6, "indexes for the keyset snapshot and seat writes", schemaLinear},
}

func (d dialect) ddl(stmt string) string {
	if d == dialectPostgres {
		stmt = strings.ReplaceAll(stmt, "{{id}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
		stmt = strings.ReplaceAll(stmt, "{{blob}}", "BYTEA")
	} else {
		stmt = strings.ReplaceAll(stmt, "{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT")
		stmt = strings.ReplaceAll(stmt, "{{blob}}", "BLOB")
	}
	return stmt
}

// migrate brings the schema to the latest version. Several portal instances
// starting at once on one PostgreSQL serialise on an advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migrations {
		err := s.inTx(ctx, func(t *tx) error {
			if t.d == dialectPostgres {
				if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7301)`); err != nil {
					return err
				}
			}
			var n int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range m.stmts {
				if _, err := t.exec(ctx, t.d.ddl(stmt)); err != nil {
					return fmt.Errorf("%.60s: %w", strings.TrimSpace(stmt), err)
				}
			}
			_, err := t.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, ms(t.now))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// SchemaVersion is the latest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

var schemaAccounts = []string{
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		password_hash TEXT NOT NULL,
		created_at BIGINT NOT NULL)`,
	`CREATE TABLE accounts (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		partner BOOLEAN NOT NULL DEFAULT FALSE,
		delegated_to TEXT REFERENCES accounts(id),
		created_at BIGINT NOT NULL)`,
	`CREATE TABLE memberships (
		account_id TEXT NOT NULL REFERENCES accounts(id),
		user_id TEXT NOT NULL REFERENCES users(id),
		role TEXT NOT NULL,
		PRIMARY KEY (account_id, user_id))`,
	`CREATE INDEX memberships_user ON memberships(user_id)`,
	`CREATE TABLE tokens (
		hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id),
		created_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL,
		revoked_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE INDEX tokens_user ON tokens(user_id)`,
	`CREATE TABLE orders (
		id TEXT PRIMARY KEY,
		partner_account_id TEXT NOT NULL REFERENCES accounts(id),
		product TEXT NOT NULL,
		edition TEXT NOT NULL,
		modules TEXT NOT NULL,
		quantity INTEGER NOT NULL,
		months INTEGER NOT NULL,
		created_at BIGINT NOT NULL,
		assigned_to TEXT REFERENCES accounts(id),
		assigned_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE INDEX orders_partner ON orders(partner_account_id)`,
	`CREATE TABLE licenses (
		id TEXT PRIMARY KEY,
		account_id TEXT NOT NULL REFERENCES accounts(id),
		product TEXT NOT NULL,
		edition TEXT NOT NULL,
		modules TEXT NOT NULL,
		seats INTEGER NOT NULL,
		contract_number TEXT NOT NULL,
		contract_start BIGINT NOT NULL,
		auto_renewal BIGINT NOT NULL,
		support_end BIGINT NOT NULL,
		expiry BIGINT NOT NULL,
		renewed BOOLEAN NOT NULL DEFAULT TRUE,
		order_id TEXT REFERENCES orders(id))`,
	`CREATE INDEX licenses_account ON licenses(account_id, product)`,
	`CREATE UNIQUE INDEX licenses_contract ON licenses(contract_number)`,
	`CREATE TABLE seats (
		id TEXT PRIMARY KEY,
		license_id TEXT NOT NULL REFERENCES licenses(id),
		position INTEGER NOT NULL,
		state TEXT NOT NULL,
		email TEXT,
		updated_at BIGINT NOT NULL)`,
	`CREATE INDEX seats_license ON seats(license_id, position)`,
	`CREATE UNIQUE INDEX seats_license_email ON seats(license_id, email)`,
	`CREATE INDEX seats_email ON seats(email)`,
	`CREATE TABLE adoptions (
		email TEXT NOT NULL,
		product TEXT NOT NULL,
		license_id TEXT NOT NULL,
		adopted_at BIGINT NOT NULL,
		PRIMARY KEY (email, product))`,
	`CREATE TABLE integrations (
		account_id TEXT NOT NULL REFERENCES accounts(id),
		product TEXT NOT NULL,
		product_on BOOLEAN NOT NULL,
		external_controller BOOLEAN NOT NULL,
		PRIMARY KEY (account_id, product))`,
	`CREATE TABLE products (
		account_id TEXT NOT NULL REFERENCES accounts(id),
		product TEXT NOT NULL,
		source TEXT NOT NULL,
		registered_at BIGINT NOT NULL,
		PRIMARY KEY (account_id, product))`,
	`CREATE TABLE audit (
		seq {{id}},
		at BIGINT NOT NULL,
		account_id TEXT NOT NULL,
		license_id TEXT NOT NULL DEFAULT '',
		actor TEXT NOT NULL,
		action TEXT NOT NULL,
		subject TEXT NOT NULL,
		before_state TEXT NOT NULL DEFAULT '',
		after_state TEXT NOT NULL DEFAULT '')`,
	`CREATE INDEX audit_account ON audit(account_id, seq)`,
	`CREATE INDEX audit_license ON audit(license_id, seq)`,
	`CREATE TABLE changes (
		seq {{id}},
		kind TEXT NOT NULL,
		entity_id TEXT NOT NULL,
		account_id TEXT NOT NULL DEFAULT '',
		email TEXT NOT NULL DEFAULT '',
		at BIGINT NOT NULL)`,
	`CREATE INDEX changes_account ON changes(account_id, seq)`,
	`CREATE INDEX changes_email ON changes(email, seq)`,
	`CREATE TABLE idempotency (
		user_id TEXT NOT NULL,
		key TEXT NOT NULL,
		op TEXT NOT NULL,
		request_hash TEXT NOT NULL,
		failed BOOLEAN NOT NULL,
		body TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (user_id, key))`,
	`CREATE TABLE meta (
		name TEXT PRIMARY KEY,
		value TEXT NOT NULL)`,
	`CREATE TABLE mail_outbox (
		id {{id}},
		kind TEXT NOT NULL,
		recipient TEXT NOT NULL,
		payload TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		next_attempt_at BIGINT NOT NULL,
		claimed_until BIGINT NOT NULL DEFAULT 0,
		attempts INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		sent_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at)`,
}

var schemaTrust = []string{
	`ALTER TABLE users ADD COLUMN verified_at BIGINT NOT NULL DEFAULT 0`,
	// Accounts made before verification existed keep working.
	`UPDATE users SET verified_at = created_at`,
	`CREATE TABLE email_codes (
		user_id TEXT PRIMARY KEY REFERENCES users(id),
		code_hash TEXT NOT NULL,
		expires_at BIGINT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE member_offers (
		account_id TEXT NOT NULL REFERENCES accounts(id),
		user_id TEXT NOT NULL REFERENCES users(id),
		role TEXT NOT NULL,
		offered_by TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (account_id, user_id))`,
	`CREATE INDEX member_offers_user ON member_offers(user_id)`,
	`CREATE TABLE rate_counters (
		key TEXT NOT NULL,
		window_start BIGINT NOT NULL,
		hits INTEGER NOT NULL,
		PRIMARY KEY (key, window_start))`,
	`CREATE TABLE login_failures (
		key TEXT PRIMARY KEY,
		fails INTEGER NOT NULL,
		last_at BIGINT NOT NULL)`,
	`ALTER TABLE mail_outbox ADD COLUMN claim_token TEXT NOT NULL DEFAULT ''`,
}

// schemaLinear serves the snapshot's keyset paging (an account's licenses
// in ID order) and a seat write's look-up of a license's first free seat,
// so that neither scans a whole account or license (issue 17).
var schemaLinear = []string{
	`CREATE INDEX licenses_account_id ON licenses(account_id, id)`,
	`CREATE INDEX seats_license_state ON seats(license_id, state, position)`,
}
