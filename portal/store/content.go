package store

// Downloads, service requests and news (issue 4, source 003 "My products").
// This file holds the schema, the change-feed wiring and what the three
// share: which products a caller sees, and who is told when a product's
// downloads or news change. downloads.go, support.go and news.go hold the
// operations.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// schemaContent is migration 3. Downloads keep only metadata and the
// SHA-256 here; the bytes live in the content-addressed folder of package
// blobs. News and service requests are numbered by an identity column:
// a request's "SR-000123" is its number, and the news number orders items
// so that "new since your last visit" compares numbers, never clocks.
var schemaContent = []string{
	`CREATE TABLE files (
		id TEXT PRIMARY KEY,
		product TEXT NOT NULL,
		name TEXT NOT NULL,
		version TEXT NOT NULL,
		released_at BIGINT NOT NULL,
		size BIGINT NOT NULL,
		sha256 TEXT NOT NULL,
		published_at BIGINT NOT NULL)`,
	`CREATE UNIQUE INDEX files_product_name ON files(product, name)`,
	`CREATE TABLE downloads (
		id {{id}},
		user_id TEXT NOT NULL REFERENCES users(id),
		file_id TEXT NOT NULL REFERENCES files(id),
		at BIGINT NOT NULL)`,
	`CREATE INDEX downloads_user ON downloads(user_id, at)`,
	`CREATE TABLE service_requests (
		seq {{id}},
		account_id TEXT NOT NULL REFERENCES accounts(id),
		product TEXT NOT NULL,
		requester_id TEXT NOT NULL REFERENCES users(id),
		title TEXT NOT NULL,
		description TEXT NOT NULL,
		state TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL)`,
	`CREATE INDEX service_requests_account ON service_requests(account_id, seq)`,
	`CREATE INDEX service_requests_requester ON service_requests(requester_id, seq)`,
	`CREATE TABLE request_comments (
		id {{id}},
		request_seq BIGINT NOT NULL REFERENCES service_requests(seq),
		author_email TEXT NOT NULL,
		author_name TEXT NOT NULL,
		body TEXT NOT NULL,
		at BIGINT NOT NULL)`,
	`CREATE INDEX request_comments_request ON request_comments(request_seq, id)`,
	`CREATE TABLE news (
		seq {{id}},
		id TEXT NOT NULL UNIQUE,
		product TEXT NOT NULL,
		title TEXT NOT NULL,
		body TEXT NOT NULL,
		severity TEXT NOT NULL,
		published_at BIGINT NOT NULL)`,
	`CREATE INDEX news_product ON news(product, seq)`,
	// seen_seq is the newest news number of the product when the user last
	// visited: items numbered above it are new to them.
	`CREATE TABLE news_visits (
		user_id TEXT NOT NULL REFERENCES users(id),
		product TEXT NOT NULL,
		seen_seq BIGINT NOT NULL,
		visited_at BIGINT NOT NULL,
		PRIMARY KEY (user_id, product))`,
	// A row is a subscription; switching it off deletes the row.
	`CREATE TABLE news_subscriptions (
		user_id TEXT NOT NULL REFERENCES users(id),
		product TEXT NOT NULL,
		subscribed_at BIGINT NOT NULL,
		PRIMARY KEY (user_id, product))`,
	`CREATE INDEX news_subscriptions_product ON news_subscriptions(product)`,
	// Publishing a file or a news item tells every account listing the
	// product and every holder of a seat of it: find them by product.
	`CREATE INDEX products_by_product ON products(product)`,
	`CREATE INDEX licenses_by_product ON licenses(product)`,
}

func (s *Store) contentViewers() map[string]viewer {
	return map[string]viewer{
		api.KindDownload: s.downloadsView,
		api.KindRequest:  s.requestView,
		api.KindNews:     s.newsView,
	}
}

func (s *Store) contentListers() []kindLister {
	return []kindLister{
		{api.KindDownload, s.listDownloads},
		{api.KindRequest, s.listRequests},
		{api.KindNews, s.listNews},
	}
}

// reader is what the read helpers need: the pool or a transaction. Queries
// are passed already rebound for the dialect.
type reader interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// The products whose downloads and news a user sees (source 003): those
// listed under an account they are a member of, and those of licenses on
// which their address holds a seat. Partner staff acting for a customer
// manage its licenses but are not its users, so delegation does not count.
const visibleProductsSQL = `SELECT p.product FROM products p JOIN memberships m ON m.account_id = p.account_id
	WHERE m.user_id = ?%[1]s
	UNION
	SELECT l.product FROM seats s JOIN licenses l ON l.id = s.license_id
	WHERE s.email = ?%[2]s`

// visibleProducts lists, sorted, the products the caller sees; with only
// set, just that one if the caller sees it.
func visibleProducts(ctx context.Context, q reader, d dialect, c Caller, only string) ([]string, error) {
	query := fmt.Sprintf(visibleProductsSQL, "", "")
	args := []any{c.ID, string(c.Email)}
	if only != "" {
		query = fmt.Sprintf(visibleProductsSQL, " AND p.product = ?", " AND l.product = ?")
		args = []any{c.ID, only, string(c.Email), only}
	}
	rows, err := q.QueryContext(ctx, d.rebind(query+` ORDER BY 1`), args...)
	if err != nil {
		return nil, fmt.Errorf("visible products: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("visible products: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// errNotListed refuses a product the caller does not see: the same answer
// whether or not the product exists, so a stranger learns nothing.
var errNotListed = core.E(core.NotFound, core.CodeProductNotListed,
	"the product is not among your products; register it first")

// mustSeeProduct cleans a product name and checks the caller sees it.
func mustSeeProduct(ctx context.Context, q reader, d dialect, c Caller, product string) (string, error) {
	p, err := core.CleanProductName(product)
	if err != nil {
		return "", err
	}
	ps, err := visibleProducts(ctx, q, d, c, p)
	if err != nil {
		return "", err
	}
	if len(ps) == 0 {
		return "", errNotListed
	}
	return p, nil
}

// productKnown reports whether the vendor has a product: a published file
// or news item, a license, or a listing under some account names it.
func productKnown(ctx context.Context, q reader, d dialect, product string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, d.rebind(`SELECT CASE WHEN
		EXISTS (SELECT 1 FROM files WHERE product = ?) OR EXISTS (SELECT 1 FROM news WHERE product = ?) OR
		EXISTS (SELECT 1 FROM licenses WHERE product = ?) OR EXISTS (SELECT 1 FROM products WHERE product = ?)
		THEN 1 ELSE 0 END`), product, product, product, product).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("product %s known: %w", product, err)
	}
	return n == 1, nil
}

// homeAccount is the account a user's own actions land in (a download
// lists its product there): the one they own, else the first they belong
// to; "" for none.
func (c Caller) homeAccount() string {
	if a := c.actor().Account; a != "" {
		return string(a)
	}
	for _, m := range c.Memberships {
		if !m.Acting {
			return m.AccountID
		}
	}
	return ""
}

// productVisible records that a product's downloads and news became
// visible to an account (it was just listed there).
func (t *tx) productVisible(ctx context.Context, accountID, product string) error {
	if err := t.recordChange(ctx, api.KindDownload, product, accountID, ""); err != nil {
		return err
	}
	return t.recordChange(ctx, api.KindNews, product, accountID, "")
}

// tellProductAudience records a change of kind for product in the feed of
// everyone who may see the product: each account listing it and each
// address holding a seat of it. The feed renders the change per caller,
// so a member of such an account who does not see it gets nothing new.
func (t *tx) tellProductAudience(ctx context.Context, kind, product string) error {
	var accounts, emails []string
	rows, err := t.query(ctx, `SELECT DISTINCT account_id FROM products WHERE product = ?`, product)
	if err != nil {
		return fmt.Errorf("product audience: %w", err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return fmt.Errorf("product audience: %w", err)
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	rows, err = t.query(ctx, `SELECT DISTINCT s.email FROM seats s JOIN licenses l ON l.id = s.license_id
		WHERE l.product = ? AND s.email IS NOT NULL`, product)
	if err != nil {
		return fmt.Errorf("product audience: %w", err)
	}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return fmt.Errorf("product audience: %w", err)
		}
		emails = append(emails, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("product audience: %w", err)
	}
	for _, a := range accounts {
		if err := t.recordChange(ctx, kind, product, a, ""); err != nil {
			return err
		}
	}
	for _, e := range emails {
		if err := t.recordChange(ctx, kind, product, "", e); err != nil {
			return err
		}
	}
	return nil
}

// lockProductNews serialises, on PostgreSQL, the transactions that number
// a product's news and those that read the newest number for a visit, so a
// visit can never record a number while an item with a smaller one is
// still uncommitted (and would then never show as new). SQLite's single
// writer serialises them already.
func (t *tx) lockProductNews(ctx context.Context, product string) error {
	if t.d != dialectPostgres {
		return nil
	}
	h := fnv.New32a()
	h.Write([]byte(product))
	if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7303, ?)`, int32(h.Sum32())); err != nil {
		return fmt.Errorf("lock news of %s: %w", product, err)
	}
	return nil
}

// inList returns "?, ?" and the arguments for a list of strings.
func inList(vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return placeholders(len(vals)), args
}

// isUniqueViolation reports a unique-constraint failure on either database.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
