package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// SupportName is the author name of comments written by the vendor's
// support team.
const SupportName = "License Desk support"

// requestRow is a service request as stored, with its requester.
type requestRow struct {
	Seq                        int64
	AccountID, Product         string
	RequesterID, RequesterName string
	RequesterEmail             core.Email
	Title, Description         string
	State                      core.RequestState
	CreatedAt, UpdatedAt       time.Time
	CommentCount               int
	Comments                   []api.RequestComment
	commentsLoaded             bool
}

const requestCols = `r.seq, r.account_id, r.product, r.requester_id, u.email, u.name, r.title, r.description, r.state,
	r.created_at, r.updated_at, (SELECT COUNT(*) FROM request_comments c WHERE c.request_seq = r.seq)`

const requestFrom = ` FROM service_requests r JOIN users u ON u.id = r.requester_id`

func scanRequest(sc interface{ Scan(...any) error }) (requestRow, error) {
	var r requestRow
	var email, state string
	var created, updated int64
	if err := sc.Scan(&r.Seq, &r.AccountID, &r.Product, &r.RequesterID, &email, &r.RequesterName, &r.Title, &r.Description,
		&state, &created, &updated, &r.CommentCount); err != nil {
		return r, err
	}
	st, err := core.ParseRequestState(state)
	if err != nil {
		return r, fmt.Errorf("request %d: %w", r.Seq, err)
	}
	r.RequesterEmail, r.State = core.Email(email), st
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

func (r requestRow) view() api.ServiceRequest {
	v := api.ServiceRequest{ID: core.FormatRequestID(r.Seq), AccountID: r.AccountID, Product: r.Product, Title: r.Title,
		Description: r.Description, State: r.State.String(), RequesterEmail: string(r.RequesterEmail),
		RequesterName: r.RequesterName, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CommentCount: r.CommentCount}
	if r.commentsLoaded {
		v.Comments = r.Comments
	}
	return v
}

// loadRequests reads the requests matching where (a condition on r),
// newest first, with their comments when asked, in two queries.
func loadRequests(ctx context.Context, q reader, d dialect, withComments bool, where string, args ...any) ([]requestRow, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+requestCols+requestFrom+` WHERE `+where+` ORDER BY r.seq DESC`), args...)
	if err != nil {
		return nil, fmt.Errorf("load requests: %w", err)
	}
	var out []requestRow
	index := map[int64]int{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("load requests: %w", err)
		}
		index[r.Seq] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load requests: %w", err)
	}
	if !withComments || len(out) == 0 {
		return out, nil
	}
	for i := range out {
		out[i].commentsLoaded = true
	}
	crows, err := q.QueryContext(ctx, d.rebind(`SELECT c.request_seq, c.author_email, c.author_name, c.body, c.at
		FROM request_comments c WHERE c.request_seq IN (SELECT r.seq`+requestFrom+` WHERE `+where+`)
		ORDER BY c.request_seq, c.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("load comments: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var seq, at int64
		var c api.RequestComment
		if err := crows.Scan(&seq, &c.AuthorEmail, &c.AuthorName, &c.Body, &at); err != nil {
			return nil, fmt.Errorf("load comments: %w", err)
		}
		c.At = fromMS(at)
		if i, ok := index[seq]; ok {
			out[i].Comments = append(out[i].Comments, c)
		}
	}
	return out, crows.Err()
}

// errNoRequest is the one answer for a request that does not exist and one
// the caller may not see.
var errNoRequest = core.E(core.NotFound, core.CodeRequestNotFound, "no such service request among yours")

// visibleRequest loads one request the caller may see (any request for
// the vendor's support, c == nil), with comments, locking it on PostgreSQL
// when lock is set so that two writers of one request (a comment and a
// close) run one after the other.
func (t *tx) visibleRequest(ctx context.Context, c *Caller, id string, lock bool) (requestRow, error) {
	seq, err := core.ParseRequestID(id)
	if err != nil {
		return requestRow{}, err
	}
	if lock && t.d == dialectPostgres {
		var got int64
		err := t.queryRow(ctx, `SELECT seq FROM service_requests WHERE seq = ?`+t.d.forUpdate(), seq).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return requestRow{}, errNoRequest
		}
		if err != nil {
			return requestRow{}, err
		}
	}
	rs, err := loadRequests(ctx, t, t.d, true, `r.seq = ?`, seq)
	if err != nil {
		return requestRow{}, err
	}
	if len(rs) == 0 || (c != nil && !core.CanSeeRequest(c.actor(), core.AccountID(rs[0].AccountID), rs[0].RequesterEmail)) {
		return requestRow{}, errNoRequest
	}
	return rs[0], nil
}

// visibleWhere is the condition selecting the requests a caller may see:
// their own, and every request of an account they own or administer.
func visibleWhere(c Caller) (string, []any) {
	where := `r.requester_id = ?`
	args := []any{c.ID}
	var managed []string
	for _, m := range c.Memberships {
		if !m.Acting && (m.Role == core.RoleOwner || m.Role == core.RoleAdmin) {
			managed = append(managed, m.AccountID)
		}
	}
	if len(managed) > 0 {
		ph, more := inList(managed)
		where = `(` + where + ` OR r.account_id IN (` + ph + `))`
		args = append(args, more...)
	}
	return where, args
}

// ServiceRequests lists the requests the caller may see, newest first,
// without comments; states, when given, filters to those states.
func (s *Store) ServiceRequests(ctx context.Context, c Caller, states []core.RequestState) ([]api.ServiceRequest, error) {
	where, args := visibleWhere(c)
	if len(states) > 0 {
		names := make([]string, len(states))
		for i, st := range states {
			names[i] = st.String()
		}
		ph, more := inList(names)
		where += ` AND r.state IN (` + ph + `)`
		args = append(args, more...)
	}
	rs, err := loadRequests(ctx, s.db, s.d, false, where, args...)
	if err != nil {
		return nil, fmt.Errorf("service requests: %w", err)
	}
	out := make([]api.ServiceRequest, len(rs))
	for i, r := range rs {
		out[i] = r.view()
	}
	return out, nil
}

// ServiceRequest returns one request the caller may see, with comments.
func (s *Store) ServiceRequest(ctx context.Context, c Caller, id string) (api.ServiceRequest, error) {
	var out api.ServiceRequest
	err := s.readTx(ctx, func(t *tx) error {
		r, err := t.visibleRequest(ctx, &c, id, false)
		out = r.view()
		return err
	})
	if err != nil {
		return api.ServiceRequest{}, fmt.Errorf("service request %s: %w", id, err)
	}
	return out, nil
}

// Per-account caps, so that no single user can grow what every member of
// the account syncs without bound.
const (
	maxOpenRequests = 200
	maxComments     = 200
)

// CreateServiceRequest opens a request for a product in one of the
// caller's accounts (their own by default). The product must be one the
// vendor has, and it then appears in that account's products (source 003).
func (s *Store) CreateServiceRequest(ctx context.Context, c Caller, w Write, req api.NewServiceRequest) (api.ServiceRequest, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.ServiceRequest, error) {
		title, desc, err := core.CleanRequest(req.Title, req.Description)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		product, err := core.CleanProductName(req.Product)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		account := strings.TrimSpace(req.AccountID)
		if account == "" {
			account = c.homeAccount()
		}
		member := false
		for _, m := range c.Memberships {
			member = member || (!m.Acting && m.AccountID == account)
		}
		if !member {
			// Partner staff acting for a customer open requests in their own
			// account; anyone else gets the answer a missing account gets.
			return api.ServiceRequest{}, hide(core.E(core.Forbidden, core.CodeAccessNoRole, "not a member"))
		}
		known, err := productKnown(ctx, t, t.d, product)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		var open int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM service_requests WHERE account_id = ? AND state <> ?`,
			account, core.RequestClosed.String()).Scan(&open); err != nil {
			return api.ServiceRequest{}, err
		}
		if open >= maxOpenRequests {
			return api.ServiceRequest{}, core.WithArgs(core.E(core.Conflict, "account.requests_limit",
				fmt.Sprintf("an account has at most %d open service requests; close some first", maxOpenRequests)), "Max", maxOpenRequests)
		}
		if !known {
			return api.ServiceRequest{}, core.WithArgs(core.E(core.NotFound, core.CodeProductUnknown,
				"there is no product named "+product+"; pick one from the product list"), "Product", product)
		}
		var seq int64
		if err := t.queryRow(ctx, `INSERT INTO service_requests (account_id, product, requester_id, title, description, state,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			account, product, c.ID, title, desc, core.RequestOpen.String(), ms(t.now), ms(t.now)).Scan(&seq); err != nil {
			return api.ServiceRequest{}, err
		}
		r, err := t.visibleRequest(ctx, &c, core.FormatRequestID(seq), false)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		if err := t.addProduct(ctx, core.AccountID(account), product, core.SourceServiceRequest); err != nil {
			return api.ServiceRequest{}, err
		}
		return r.view(), t.tellRequestAudience(ctx, r)
	})
	if err != nil {
		return api.ServiceRequest{}, fmt.Errorf("open service request: %w", err)
	}
	return out, nil
}

// CommentServiceRequest adds the caller's comment to a request they may
// see. Answering a request that waits for the customer hands it back to
// support (core.RequestState.AfterComment); a closed request takes none.
func (s *Store) CommentServiceRequest(ctx context.Context, c Caller, w Write, id, body string) (api.ServiceRequest, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.ServiceRequest, error) {
		text, err := core.CleanComment(body)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		r, err := t.visibleRequest(ctx, &c, id, true)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM request_comments WHERE request_seq = ?`, r.Seq).Scan(&n); err != nil {
			return api.ServiceRequest{}, err
		}
		if n >= maxComments {
			return api.ServiceRequest{}, core.WithArgs(core.E(core.Conflict, "request.comments_limit",
				fmt.Sprintf("a service request takes at most %d comments; open a new one", maxComments)), "Max", maxComments)
		}
		return t.updateRequest(ctx, r, r.State, core.PartyCustomer, string(c.Email), c.Name, text)
	})
	if err != nil {
		return api.ServiceRequest{}, fmt.Errorf("comment on %s: %w", id, err)
	}
	return out, nil
}

// CloseServiceRequest closes a request; only its requester may.
func (s *Store) CloseServiceRequest(ctx context.Context, c Caller, w Write, id string) (api.ServiceRequest, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.ServiceRequest, error) {
		r, err := t.visibleRequest(ctx, &c, id, true)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		if err := core.CanClose(c.actor(), r.RequesterEmail); err != nil {
			return api.ServiceRequest{}, err
		}
		to, err := r.State.Move(core.RequestClosed, core.PartyCustomer)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		return t.updateRequest(ctx, r, to, core.PartyCustomer, "", "", "")
	})
	if err != nil {
		return api.ServiceRequest{}, fmt.Errorf("close %s: %w", id, err)
	}
	return out, nil
}

// SupportUpdate is what the vendor's support does to a request: move it to
// another state, comment, or both (the move first, so a comment may come
// with reopening a closed request).
type SupportUpdate struct {
	State   core.RequestState // zero: unchanged
	Comment string
	Author  string // SupportName when empty
}

// UpdateServiceRequest is the vendor operator's (support's) side of a
// request; it is not reachable over the API.
func (s *Store) UpdateServiceRequest(ctx context.Context, id string, u SupportUpdate) (api.ServiceRequest, error) {
	var out api.ServiceRequest
	err := s.inTx(ctx, func(t *tx) error {
		if u.State == 0 && strings.TrimSpace(u.Comment) == "" {
			return core.E(core.Invalid, core.CodeRequestText, "give a new state, a comment or both")
		}
		var text string
		if strings.TrimSpace(u.Comment) != "" {
			var err error
			if text, err = core.CleanComment(u.Comment); err != nil {
				return err
			}
		}
		author := strings.TrimSpace(u.Author)
		if author == "" {
			author = SupportName
		}
		r, err := t.visibleRequest(ctx, nil, id, true)
		if err != nil {
			return err
		}
		to := r.State
		if u.State != 0 {
			if to, err = r.State.Move(u.State, core.PartySupport); err != nil {
				return err
			}
		}
		out, err = t.updateRequest(ctx, r, to, core.PartySupport, "", author, text)
		return err
	})
	if err != nil {
		return api.ServiceRequest{}, fmt.Errorf("support update of %s: %w", id, err)
	}
	return out, nil
}

// updateRequest applies a state change (already checked with
// core.RequestState.Move by the caller) and an optional comment to a
// request in one step and tells its audience. A comment lands after the
// move, so support may reopen and comment at once, except with a close,
// where it is the last word before it.
func (t *tx) updateRequest(ctx context.Context, r requestRow, to core.RequestState, by core.Party,
	authorEmail, authorName, comment string) (api.ServiceRequest, error) {
	if comment != "" {
		at := to
		if to == core.RequestClosed {
			at = r.State
		}
		after, err := at.AfterComment(by)
		if err != nil {
			return api.ServiceRequest{}, err
		}
		if to == r.State {
			to = after
		}
		if _, err := t.exec(ctx, `INSERT INTO request_comments (request_seq, author_email, author_name, body, at)
			VALUES (?, ?, ?, ?, ?)`, r.Seq, authorEmail, authorName, comment, ms(t.now)); err != nil {
			return api.ServiceRequest{}, fmt.Errorf("add comment: %w", err)
		}
	}
	if _, err := t.exec(ctx, `UPDATE service_requests SET state = ?, updated_at = ? WHERE seq = ?`,
		to.String(), ms(t.now), r.Seq); err != nil {
		return api.ServiceRequest{}, fmt.Errorf("update request: %w", err)
	}
	rs, err := loadRequests(ctx, t, t.d, true, `r.seq = ?`, r.Seq)
	if err != nil {
		return api.ServiceRequest{}, err
	}
	if len(rs) == 0 {
		return api.ServiceRequest{}, errNoRequest
	}
	return rs[0].view(), t.tellRequestAudience(ctx, rs[0])
}

// tellRequestAudience records a request's change in the feed of everyone
// who may see it: its requester and the owner and admins of its account.
// Addressed by e-mail rather than by account, so that the account's plain
// members are not even told that a request changed.
func (t *tx) tellRequestAudience(ctx context.Context, r requestRow) error {
	emails := []string{string(r.RequesterEmail)}
	rows, err := t.query(ctx, `SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ? AND m.role IN ('owner', 'admin') ORDER BY u.email`, r.AccountID)
	if err != nil {
		return fmt.Errorf("request audience: %w", err)
	}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return fmt.Errorf("request audience: %w", err)
		}
		if e != string(r.RequesterEmail) {
			emails = append(emails, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("request audience: %w", err)
	}
	id := core.FormatRequestID(r.Seq)
	for _, e := range emails {
		if err := t.recordChange(ctx, api.KindRequest, id, "", e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) requestView(ctx context.Context, c Caller, id string) (any, bool, error) {
	if _, err := core.ParseRequestID(id); err != nil {
		return nil, false, nil
	}
	v, err := s.ServiceRequest(ctx, c, id)
	if core.CodeOf(err) == core.CodeRequestNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

func (s *Store) listRequests(ctx context.Context, c Caller) (map[string]any, error) {
	where, args := visibleWhere(c)
	var rs []requestRow
	err := s.readTx(ctx, func(t *tx) error {
		var err error
		rs, err = loadRequests(ctx, t, t.d, true, where, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	out := make(map[string]any, len(rs))
	for _, r := range rs {
		out[core.FormatRequestID(r.Seq)] = r.view()
	}
	return out, nil
}
