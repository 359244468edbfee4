package store

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/core"
)

// schemaHolds is migration 4 (issue 11, licensing that holds).
//
// activation_rebinds counts the re-binds of live activations to changed
// hardware, per key, so that a key cannot be moved from machine to machine
// by crafted fingerprints that each match the last one (core.MaxRebinds in
// core.RebindWindowDays). signing_keys.revoked_at marks a key withdrawn
// from trust (its files are refused by clients), as opposed to retired
// (its files stay valid, it signs no more).
var schemaHolds = []string{
	`CREATE TABLE activation_rebinds (
		id {{id}},
		key TEXT NOT NULL REFERENCES keys(key),
		activation_id TEXT NOT NULL REFERENCES activations(id),
		at BIGINT NOT NULL,
		match TEXT NOT NULL)`,
	`CREATE INDEX activation_rebinds_key ON activation_rebinds(key, at)`,
	`ALTER TABLE signing_keys ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0`,
}

// recentRebinds counts the re-binds of key's activations within
// core.RebindWindowDays before now. The key row is locked by the caller, so
// that two re-binds racing cannot both see room for one more.
func (t *tx) recentRebinds(ctx context.Context, key core.Key) (int, error) {
	var n int
	since := t.now.Add(-core.RebindWindowDays * core.Day)
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM activation_rebinds WHERE key = ? AND at > ?`,
		string(key), ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count re-binds of %s: %w", key, err)
	}
	return n, nil
}

// recordRebind counts one re-bind of an activation of key.
func (t *tx) recordRebind(ctx context.Context, key core.Key, activationID string, m core.Match, at time.Time) error {
	if _, err := t.exec(ctx, `INSERT INTO activation_rebinds (key, activation_id, at, match) VALUES (?, ?, ?, ?)`,
		string(key), activationID, ms(at), m.Summary()); err != nil {
		return fmt.Errorf("record re-bind of %s: %w", activationID, err)
	}
	return nil
}
