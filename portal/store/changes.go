package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// recordChange appends to the change feed. On PostgreSQL the first change
// of a transaction takes a transaction-wide advisory lock, so that change
// sequence numbers become visible in commit order and a reader's cursor
// can never step over a change committed late with a smaller number. It
// must be the last lock a write takes (it is: changes are recorded last).
func (t *tx) recordChange(ctx context.Context, kind, entityID, accountID, email string) error {
	if t.d == dialectPostgres && !t.feedLocked {
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7302)`); err != nil {
			return fmt.Errorf("lock change feed: %w", err)
		}
		t.feedLocked = true
	}
	if _, err := t.exec(ctx, `INSERT INTO changes (kind, entity_id, account_id, email, at) VALUES (?, ?, ?, ?, ?)`,
		kind, entityID, accountID, email, ms(t.now)); err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	return nil
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
	floor, head, err := s.feedBounds(ctx)
	if err != nil {
		return api.Changes{}, err
	}
	if cur.Snapshot && cursor == "" {
		cur.Seq = head
	}
	if !cur.Snapshot && (cur.Seq < floor || cur.Seq > head) {
		// Pruned, or from another portal's database: start over.
		cur = feedCursor{Seq: head, Snapshot: true}
	}
	if cur.Snapshot {
		return s.snapshot(ctx, c, cur)
	}
	return s.incremental(ctx, c, cur, head)
}

// feedBounds returns the oldest cursor still served and the newest change.
func (s *Store) feedBounds(ctx context.Context) (floor, head int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&head)
	if err != nil {
		return 0, 0, fmt.Errorf("feed head: %w", err)
	}
	var v string
	err = s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COALESCE(MAX(value), '0') FROM meta WHERE name = ?`), "feed_floor").Scan(&v)
	if err != nil {
		return 0, 0, fmt.Errorf("feed floor: %w", err)
	}
	floor, _ = strconv.ParseInt(v, 10, 64)
	return floor, head, nil
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

func (s *Store) incremental(ctx context.Context, c Caller, cur feedCursor, head int64) (api.Changes, error) {
	if cur.Seq == head {
		return api.Changes{Cursor: cur.String(), Complete: true, Changes: []api.Change{}}, nil
	}
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
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT seq, kind, entity_id, account_id FROM changes
		WHERE seq > ? AND (`+where+`) ORDER BY seq LIMIT ?`), args...)
	if err != nil {
		return api.Changes{}, fmt.Errorf("pull changes: %w", err)
	}
	var refs []entityRef
	var firstSeq []int64 // per ref, the feed row that first named it
	seen := map[entityRef]bool{}
	last := cur.Seq
	n := 0
	complete := true
	for rows.Next() {
		var seq int64
		var kind, id, acct string
		if err := rows.Scan(&seq, &kind, &id, &acct); err != nil {
			rows.Close()
			return api.Changes{}, fmt.Errorf("pull changes: %w", err)
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
			rows.Close()
			return s.snapshot(ctx, c, feedCursor{Seq: head, Snapshot: true})
		}
		ref := entityRef{kind, id}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
			firstSeq = append(firstSeq, seq)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return api.Changes{}, fmt.Errorf("pull changes: %w", err)
	}
	if complete {
		// Nothing visible to the caller after last up to head.
		last = head
	}
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
	args := []any{after}
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, snapshotPage)
	rows, err := loadLicenses(ctx, s.db, s.d, `l.id IN (SELECT l2.id FROM licenses l2 WHERE l2.id > ? AND l2.account_id IN (`+
		placeholders(len(ids))+`) ORDER BY l2.id LIMIT ?)`, args...)
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
	if len(rows) == snapshotPage {
		for _, r := range rows {
			last = max(last, r.ID)
		}
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
