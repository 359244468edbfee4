package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// recordChange appends to the change feed. The entries of a transaction
// are written together when it commits (flushChanges).
func (t *tx) recordChange(_ context.Context, kind, entityID, accountID, email string) error {
	t.changes = append(t.changes, changeRow{kind, entityID, accountID, email})
	return nil
}

// changeRow is one change feed entry waiting for its transaction's end.
type changeRow struct{ kind, entityID, accountID, email string }

// feedLockClass is the first key of the change feed's advisory locks.
const feedLockClass = 7302

// feedScopes are the lock keys of the readers a feed entry reaches: its
// account's and its e-mail's. A reader's pull selects entries by exactly
// these (account_id IN its accounts, or its e-mail).
func feedScopes(accounts []string, email string) []int32 {
	var keys []int32
	add := func(k string) {
		h := fnv.New32a()
		h.Write([]byte(k))
		keys = append(keys, int32(h.Sum32()))
	}
	for _, a := range accounts {
		if a != "" {
			add("a:" + a)
		}
	}
	if email != "" {
		add("e:" + email)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// feedLocks is a statement's select list taking the advisory lock of each
// key in order (shared for a reader), and its arguments.
func feedLocks(keys []int32, shared bool) (string, []any) {
	fn := "pg_advisory_xact_lock"
	if shared {
		fn = "pg_advisory_xact_lock_shared"
	}
	parts := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s(%d, ?::int4)", fn, feedLockClass)
		args[i] = k
	}
	return strings.Join(parts, ", "), args
}

// deferredSQL is a statement a write runs together with its change feed
// entries: on PostgreSQL as one statement (flushChanges), one round trip.
type deferredSQL struct {
	q    string
	args []any
}

// flushChanges writes the transaction's change feed entries in one
// statement, last, just before the commit; on PostgreSQL the statements
// with are made part of it (data-modifying WITH clauses, none reading
// another's rows), and elsewhere run before it.
//
// On PostgreSQL a reader's cursor must never step over an entry committed
// late with a smaller sequence number. So the entries' sequence numbers
// are drawn under transaction-wide advisory locks on the scopes the
// entries reach (their accounts and e-mails), taken in key order in the
// same statement; a reader takes the same locks shared on its own scopes
// before it reads (lockedFeed), and so waits for every writer that may
// still commit an entry it would see. Writers of unrelated accounts do
// not wait for each other. On SQLite transactions commit one at a time,
// in sequence order.
func (t *tx) flushChanges(ctx context.Context, with ...deferredSQL) error {
	if t.d != dialectPostgres || len(t.changes) == 0 {
		for _, d := range with {
			if _, err := t.exec(ctx, d.q, d.args...); err != nil {
				return err
			}
		}
	}
	if len(t.changes) == 0 {
		return nil
	}
	const cols = 5
	values := make([]string, len(t.changes))
	args := make([]any, 0, cols*len(t.changes)+8)
	q := ""
	if t.d == dialectPostgres {
		var keys []int32
		for _, c := range t.changes {
			keys = append(keys, feedScopes([]string{c.accountID}, c.email)...)
		}
		slices.Sort(keys)
		lockList, lockArgs := feedLocks(slices.Compact(keys), false)
		q = `WITH feed_lock AS (SELECT ` + lockList + `)`
		args = append(args, lockArgs...)
		for i, d := range with {
			q += fmt.Sprintf(`, w%d AS (%s)`, i, d.q)
			args = append(args, d.args...)
		}
	}
	for i, c := range t.changes {
		if t.d == dialectPostgres {
			values[i] = `(?::text, ?::text, ?::text, ?::text, ?::bigint)`
		} else {
			values[i] = `(?, ?, ?, ?, ?)`
		}
		args = append(args, c.kind, c.entityID, c.accountID, c.email, ms(t.now))
	}
	if t.d == dialectPostgres {
		// The locks' row is joined to every entry, so each sequence
		// number is drawn once the locks are held.
		q += ` INSERT INTO changes (kind, entity_id, account_id, email, at)
			SELECT v.kind, v.entity_id, v.account_id, v.email, v.at FROM feed_lock,
			(VALUES ` + strings.Join(values, ", ") + `) AS v(kind, entity_id, account_id, email, at)`
	} else {
		q = `INSERT INTO changes (kind, entity_id, account_id, email, at) VALUES ` + strings.Join(values, ", ")
	}
	if _, err := t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	t.changes = nil
	return nil
}

// lockedFeed runs fn where no writer can still commit a change feed entry
// the caller would see with a sequence number below those fn reads: on
// PostgreSQL inside a transaction holding the caller's scopes' feed locks
// shared (see flushChanges), on SQLite on the read pool as it is.
func (s *Store) lockedFeed(ctx context.Context, c Caller, fn func(q querier) error) error {
	if s.d != dialectPostgres {
		return fn(readPool{s})
	}
	return s.readTx(ctx, func(t *tx) error {
		list, args := feedLocks(feedScopes(c.accountIDs(), string(c.Email)), true)
		if list != "" {
			if _, err := t.ExecContext(ctx, t.d.rebind(`SELECT `+list), args...); err != nil {
				return fmt.Errorf("lock change feed: %w", err)
			}
		}
		return fn(t)
	})
}

// readPool is the store's read pool as a querier.
type readPool struct{ s *Store }

func (p readPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.s.db.QueryContext(ctx, p.s.d.rebind(q), args...)
}

// Feed page sizes: change rows read per incremental page, licenses read
// per snapshot query, and the fixed byte budget of every page (a page
// stops at the first object that takes it over, so it holds at most one
// object more). However large an account's data, a pull is a series of
// pages of this size, never one answer a client cannot take.
const (
	feedPage     = 1000
	snapshotPage = 50
	pageBudget   = api.MaxChangesPageBytes
	renderChunk  = 20
)

// A snapshot walks stages in order and the cursor remembers where: stage 0
// is the caller's accounts, stage 1 the licenses (paged), and each later
// stage one kind of snapshotListers.
const (
	stageAccounts  = 0
	stageSolutions = 1
)

// feedCursor is the parsed form of the opaque cursor string: either a
// change sequence number, or a position inside a snapshot that will
// continue from sequence Seq when done.
type feedCursor struct {
	Seq      int64
	Snapshot bool
	Stage    int
	After    string
}

func (c feedCursor) String() string {
	if !c.Snapshot {
		return strconv.FormatInt(c.Seq, 10)
	}
	return fmt.Sprintf("s%d.%d.%s", c.Seq, c.Stage, c.After)
}

func parseCursor(s string) (feedCursor, error) {
	bad := core.E(core.Invalid, "feed.cursor", "the change feed cursor is malformed; pull again without one")
	if s == "" {
		return feedCursor{Snapshot: true}, nil
	}
	if strings.HasPrefix(s, "s") {
		parts := strings.SplitN(s[1:], ".", 3)
		if len(parts) != 3 {
			return feedCursor{}, bad
		}
		seq, err1 := strconv.ParseInt(parts[0], 10, 64)
		stage, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || seq < 0 || stage < 0 || stage > maxStages {
			return feedCursor{}, bad
		}
		return feedCursor{Seq: seq, Snapshot: true, Stage: stage, After: parts[2]}, nil
	}
	seq, err := strconv.ParseInt(s, 10, 64)
	if err != nil || seq < 0 {
		return feedCursor{}, bad
	}
	return feedCursor{Seq: seq}, nil
}

// Changes answers a pull of the change feed: what the caller may see that
// changed after the cursor, as the current state of each changed object.
// An empty cursor, one older than the feed still holds, or a change to the
// caller's own access (new membership, delegation) starts a snapshot, which
// the client applies after dropping its copy.
func (s *Store) Changes(ctx context.Context, c Caller, cursor string) (api.Changes, error) {
	cur, err := parseCursor(cursor)
	if err != nil {
		return api.Changes{}, err
	}
	floor, head, err := s.feedBounds(ctx, readPool{s})
	if err != nil {
		return api.Changes{}, err
	}
	if !cur.Snapshot && cur.Seq == head {
		// Nothing after the cursor: the cheap answer, no lock needed, since
		// the cursor does not move.
		return api.Changes{Cursor: cur.String(), Complete: true, Changes: []api.Change{}}, nil
	}
	var refs []entityRef
	var firstSeq []int64
	var last int64
	complete, resync := true, false
	err = s.lockedFeed(ctx, c, func(q querier) error {
		if floor, head, err = s.feedBounds(ctx, q); err != nil {
			return err
		}
		if cur.Snapshot && cursor == "" {
			cur.Seq = head
		}
		if !cur.Snapshot && (cur.Seq < floor || cur.Seq > head) {
			// Pruned, or from another portal's database: start over.
			cur = feedCursor{Seq: head, Snapshot: true}
		}
		if cur.Snapshot || cur.Seq == head {
			return nil
		}
		refs, firstSeq, last, complete, resync, err = s.feedRows(ctx, q, c, cur, head)
		return err
	})
	if err != nil {
		return api.Changes{}, err
	}
	if resync {
		cur = feedCursor{Seq: head, Snapshot: true}
	}
	if cur.Snapshot {
		return s.snapshot(ctx, c, cur)
	}
	if cur.Seq == head {
		return api.Changes{Cursor: cur.String(), Complete: true, Changes: []api.Change{}}, nil
	}
	return s.incremental(ctx, c, refs, firstSeq, last, complete)
}

// feedBounds returns the oldest cursor still served and the newest change.
func (s *Store) feedBounds(ctx context.Context, q querier) (floor, head int64, err error) {
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM changes`)
	if err == nil {
		err = scanOne(rows, &head)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("feed head: %w", err)
	}
	var v string
	rows, err = q.QueryContext(ctx, `SELECT COALESCE(MAX(value), '0') FROM meta WHERE name = 'feed_floor'`)
	if err == nil {
		err = scanOne(rows, &v)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("feed floor: %w", err)
	}
	floor, _ = strconv.ParseInt(v, 10, 64)
	return floor, head, nil
}

// scanOne reads the one row of a one-value query.
func scanOne(rows *sql.Rows, v any) error {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(v); err != nil {
		return err
	}
	return rows.Close()
}

// PruneChanges forgets feed entries up to seq; clients holding an older
// cursor get a snapshot instead.
func (s *Store) PruneChanges(ctx context.Context, upTo int64) error {
	return s.inTx(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, `DELETE FROM changes WHERE seq <= ?`, upTo); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO meta (name, value) VALUES ('feed_floor', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, strconv.FormatInt(upTo, 10))
		return err
	})
}

type entityRef struct{ kind, id string }

// feedRows reads the entries after the cursor the caller may see, as the
// objects they name in feed order (each with the entry that first named
// it); resync is set when the caller's own access changed.
func (s *Store) feedRows(ctx context.Context, q querier, c Caller, cur feedCursor, head int64) (
	refs []entityRef, firstSeq []int64, last int64, complete, resync bool, err error) {
	ids := c.accountIDs()
	args := []any{cur.Seq, string(c.Email)}
	where := `email = ?`
	if len(ids) > 0 {
		where += ` OR account_id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	args = append(args, feedPage+1)
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, entity_id, account_id FROM changes
		WHERE seq > ? AND (`+where+`) ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, nil, 0, false, false, fmt.Errorf("pull changes: %w", err)
	}
	defer rows.Close()
	seen := map[entityRef]bool{}
	last = cur.Seq
	n := 0
	complete = true
	for rows.Next() {
		var seq int64
		var kind, id, acct string
		if err := rows.Scan(&seq, &kind, &id, &acct); err != nil {
			return nil, nil, 0, false, false, fmt.Errorf("pull changes: %w", err)
		}
		if n == feedPage {
			complete = false
			break
		}
		n++
		last = seq
		if kind == api.KindAccount {
			// The caller's access changed: what they may see now includes
			// objects whose changes they were never sent.
			return nil, nil, 0, false, true, nil
		}
		ref := entityRef{kind, id}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
			firstSeq = append(firstSeq, seq)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, false, false, fmt.Errorf("pull changes: %w", err)
	}
	if complete {
		// Nothing visible to the caller after last up to head.
		last = head
	}
	return refs, firstSeq, last, complete, false, nil
}

// incremental renders the objects the entries after the cursor name.
func (s *Store) incremental(ctx context.Context, c Caller, refs []entityRef, firstSeq []int64, last int64, complete bool) (api.Changes, error) {
	// Render in feed order, a few objects at a time, and stop once the page
	// is over its byte budget; the cursor then points just before the first
	// object not rendered, whose rows the next page reads again.
	changes := []api.Change{}
	size := 0
	for i := 0; i < len(refs); i += renderChunk {
		if size > pageBudget {
			last, complete = firstSeq[i]-1, false
			break
		}
		chunk, err := s.render(ctx, c, refs[i:min(i+renderChunk, len(refs))])
		if err != nil {
			return api.Changes{}, err
		}
		for _, ch := range chunk {
			size += len(ch.Data) + len(ch.ID) + 64
		}
		changes = append(changes, chunk...)
	}
	return api.Changes{Cursor: feedCursor{Seq: last}.String(), Complete: complete, Changes: changes}, nil
}

// render loads the current state of each referenced object, or a deletion
// where the caller may no longer see it.
func (s *Store) render(ctx context.Context, c Caller, refs []entityRef) ([]api.Change, error) {
	byKind := map[string][]string{}
	for _, r := range refs {
		byKind[r.kind] = append(byKind[r.kind], r.id)
	}
	out := make([]api.Change, 0, len(refs))
	for _, kind := range sortedKeys(byKind) {
		ids := byKind[kind]
		objs, err := s.renderKind(ctx, c, kind, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if v, ok := objs[id]; ok {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, err
				}
				out = append(out, api.Change{Kind: kind, ID: id, Data: b})
			} else {
				out = append(out, api.Change{Kind: kind, ID: id, Deleted: true})
			}
		}
	}
	return out, nil
}

// renderKind returns the visible objects of one kind among ids.
func (s *Store) renderKind(ctx context.Context, c Caller, kind string, ids []string) (map[string]any, error) {
	out := map[string]any{}
	switch kind {
	case api.KindSolution:
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := loadLicenses(ctx, s.db, s.d, `l.id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return nil, err
		}
		actor, now := c.actor(), s.now().UTC()
		for _, r := range rows {
			if core.Authorize(actor, core.ViewSolutions, r.Account) == nil {
				out[r.ID] = solutionView(r, now)
			}
		}
	case api.KindAssigned:
		views, err := assignedViews(ctx, s.db, s.d, c.Email, "")
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			out[v.Product] = v
		}
	default:
		view, ok := s.viewers()[kind]
		if !ok {
			return out, nil
		}
		for _, id := range ids {
			v, found, err := view(ctx, c, id)
			if err != nil {
				return nil, err
			}
			if found {
				out[id] = v
			}
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// viewer renders one object of a kind for the caller; found is false when
// the caller may not see it (or it is gone).
type viewer func(ctx context.Context, c Caller, id string) (v any, found bool, err error)

// lister renders every object of a kind the caller may see, by ID.
type lister func(ctx context.Context, c Caller) (map[string]any, error)

// viewers name, per kind of the feed, how to render one object. Seats and
// assignments are rendered in bulk above; the rest here.
func (s *Store) viewers() map[string]viewer {
	m := map[string]viewer{
		api.KindOrder:       s.orderView,
		api.KindIntegration: s.integrationView,
		api.KindProduct:     s.productView,
		api.KindAccount:     s.accountView,
		api.KindOffer:       s.offerView,
	}
	for k, v := range s.keyViewers() {
		m[k] = v
	}
	for k, v := range s.contentViewers() {
		m[k] = v
	}
	return m
}

// kindLister is one stage of a snapshot after the licenses.
type kindLister struct {
	kind string
	list lister
}

// maxStages bounds the stage number a cursor may carry.
const maxStages = 64

// snapshotListers are the snapshot stages after the licenses, in order.
// Append only: a cursor in a client's hands names a stage by position.
func (s *Store) snapshotListers() []kindLister {
	out := []kindLister{
		{api.KindAssigned, s.listAssigned},
		{api.KindOrder, s.listOrders},
		{api.KindIntegration, s.listIntegrations},
		{api.KindProduct, s.listProducts},
	}
	out = append(out, s.keyListers()...)
	out = append(out, s.contentListers()...)
	return append(out, kindLister{api.KindOffer, s.listOffers})
}

// snapshot answers one page of a full copy of what the caller may see; the
// first page tells the client to drop its copy. Every stage pages by size:
// a page ends once it is over its byte budget, and the cursor names the
// stage and the last object sent, so the next page resumes after it.
func (s *Store) snapshot(ctx context.Context, c Caller, cur feedCursor) (api.Changes, error) {
	page := api.Changes{Resync: cur.Stage == stageAccounts && cur.After == "", Changes: []api.Change{}}
	size := 0
	full := func() bool { return size > pageBudget }
	add := func(kind, id string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		size += len(b) + len(id) + 64
		page.Changes = append(page.Changes, api.Change{Kind: kind, ID: id, Data: b})
		return nil
	}
	stop := func() (api.Changes, error) {
		page.Cursor = cur.String()
		return page, nil
	}
	listers := s.snapshotListers()
	stageDone := stageSolutions + 1 + len(listers)
	for cur.Stage < stageDone {
		if cur.Stage == stageSolutions {
			for {
				if full() {
					return stop()
				}
				sols, last, err := s.solutionPage(ctx, c, cur.After)
				if err != nil {
					return api.Changes{}, err
				}
				for _, v := range sols {
					if full() {
						return stop()
					}
					if err := add(api.KindSolution, v.LicenseID, v); err != nil {
						return api.Changes{}, err
					}
					cur.After = v.LicenseID
				}
				if last == "" {
					break
				}
				cur.After = last
			}
		} else {
			var objs map[string]any
			var err error
			kind := api.KindAccount
			if cur.Stage == stageAccounts {
				objs, err = s.listAccounts(ctx, c)
			} else {
				l := listers[cur.Stage-stageSolutions-1]
				kind = l.kind
				objs, err = l.list(ctx, c)
			}
			if err != nil {
				return api.Changes{}, err
			}
			for _, id := range sortedKeys(objs) {
				if cur.After != "" && id <= cur.After {
					continue // sent in an earlier page
				}
				if full() {
					return stop()
				}
				if err := add(kind, id, objs[id]); err != nil {
					return api.Changes{}, err
				}
				cur.After = id
			}
		}
		cur.Stage++
		cur.After = ""
	}
	page.Cursor = feedCursor{Seq: cur.Seq}.String()
	page.Complete = true
	return page, nil
}

// solutionPage returns up to snapshotPage licenses after the given ID that
// the caller may see, and the last ID read when more may follow.
func (s *Store) solutionPage(ctx context.Context, c Caller, after string) ([]api.Solution, string, error) {
	ids := c.accountIDs()
	if len(ids) == 0 {
		return nil, "", nil
	}
	// Keyset paging: each account's licenses after the cursor, read in ID
	// order straight off licenses_account_id (account_id, id) and cut at a
	// page, then merged; a page costs the same wherever it starts.
	parts := make([]string, len(ids))
	args := make([]any, 0, 3*len(ids)+1)
	for i, id := range ids {
		parts[i] = fmt.Sprintf(`SELECT id FROM (SELECT id FROM licenses WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?) p%d`, i)
		args = append(args, id, after, snapshotPage)
	}
	args = append(args, snapshotPage)
	idRows, err := s.query(ctx, strings.Join(parts, ` UNION ALL `)+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("snapshot page: %w", err)
	}
	var page []any
	for idRows.Next() {
		var id string
		if err := idRows.Scan(&id); err != nil {
			idRows.Close()
			return nil, "", fmt.Errorf("snapshot page: %w", err)
		}
		page = append(page, id)
	}
	idRows.Close()
	if err := idRows.Err(); err != nil {
		return nil, "", fmt.Errorf("snapshot page: %w", err)
	}
	if len(page) == 0 {
		return nil, "", nil
	}
	rows, err := loadLicenses(ctx, s.db, s.d, `l.id IN (`+placeholders(len(page))+`)`, page...)
	if err != nil {
		return nil, "", err
	}
	actor, now := c.actor(), s.now().UTC()
	out := make([]api.Solution, 0, len(rows))
	for _, r := range rows {
		if core.Authorize(actor, core.ViewSolutions, r.Account) == nil {
			out = append(out, solutionView(r, now))
		}
	}
	// Sorted, so that a page cut after any of them resumes exactly there.
	sort.Slice(out, func(i, j int) bool { return out[i].LicenseID < out[j].LicenseID })
	last := ""
	if len(page) == snapshotPage {
		last = page[len(page)-1].(string)
	}
	return out, last, nil
}

func (s *Store) listAssigned(ctx context.Context, c Caller) (map[string]any, error) {
	views, err := s.Assigned(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(views))
	for _, v := range views {
		out[v.Product] = v
	}
	return out, nil
}
