package store

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// NewsPerProduct bounds the items a product's news shows (newest first):
// the list is a notice board, not an archive.
const NewsPerProduct = 100

// NewsSpec is a news item or alert the vendor publishes for a product.
type NewsSpec struct {
	Product     string
	Title       string
	Body        string
	Severity    core.Severity
	PublishedAt time.Time // now when zero; the date shown, not the order of "new"
}

// Subscriber is someone to e-mail a news item to.
type Subscriber struct {
	Email string
	Name  string
}

// MailNews is the outbox kind of news e-mails; the payload is a NewsMail.
const MailNews = "news"

// NewsMail is one news item owed to one subscriber by e-mail.
type NewsMail struct {
	Subscriber Subscriber
	Item       api.NewsItem
}

// NewsPublished is a published item with the subscribers to e-mail it to
// (those subscribed to its product who still see the product).
type NewsPublished struct {
	Item        api.NewsItem
	Subscribers []Subscriber
}

type newsRow struct {
	Seq                           int64
	ID, Product, Title, Body, Sev string
	PublishedAt                   time.Time
}

const newsCols = `seq, id, product, title, body, severity, published_at`

func scanNews(sc interface{ Scan(...any) error }) (newsRow, error) {
	var n newsRow
	var at int64
	err := sc.Scan(&n.Seq, &n.ID, &n.Product, &n.Title, &n.Body, &n.Sev, &at)
	n.PublishedAt = fromMS(at)
	return n, err
}

func (n newsRow) view(seenSeq int64) api.NewsItem {
	return api.NewsItem{ID: n.ID, Product: n.Product, Title: n.Title, Body: n.Body, Severity: n.Sev,
		PublishedAt: n.PublishedAt, New: n.Seq > seenSeq}
}

// PublishNews is the vendor operator's: it adds a news item to a product,
// tells everyone who sees the product through the change feed, and returns
// the subscribers the caller e-mails once the item is committed.
func (s *Store) PublishNews(ctx context.Context, spec NewsSpec) (NewsPublished, error) {
	product, err := core.CleanProductName(spec.Product)
	if err != nil {
		return NewsPublished{}, fmt.Errorf("publish news: %w", err)
	}
	title, body, err := core.CleanNews(spec.Title, spec.Body)
	if err != nil {
		return NewsPublished{}, fmt.Errorf("publish news: %w", err)
	}
	if spec.Severity < core.SeverityInfo || spec.Severity > core.SeverityCritical {
		return NewsPublished{}, fmt.Errorf("publish news: %w",
			core.E(core.Invalid, core.CodeNewsSeverity, "a news item is info, warning or critical"))
	}
	var out NewsPublished
	err = s.inTx(ctx, func(t *tx) error {
		if err := t.lockProductNews(ctx, product); err != nil {
			return err
		}
		n := newsRow{ID: newID("nws"), Product: product, Title: title, Body: body, Sev: spec.Severity.String(),
			PublishedAt: fromMS(ms(spec.PublishedAt))}
		if n.PublishedAt.IsZero() {
			n.PublishedAt = t.now
		}
		if err := t.queryRow(ctx, `INSERT INTO news (id, product, title, body, severity, published_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`, n.ID, n.Product, n.Title, n.Body, n.Sev, ms(n.PublishedAt)).Scan(&n.Seq); err != nil {
			return err
		}
		out = NewsPublished{Item: n.view(n.Seq)}
		// Subscribers who still see the product: a subscription outlives a
		// lost seat, the e-mails do not.
		rows, err := t.query(ctx, `SELECT u.email, u.name FROM news_subscriptions ns JOIN users u ON u.id = ns.user_id
			WHERE ns.product = ? AND (
				EXISTS (SELECT 1 FROM products p JOIN memberships m ON m.account_id = p.account_id
				        WHERE m.user_id = ns.user_id AND p.product = ns.product)
				OR EXISTS (SELECT 1 FROM seats s JOIN licenses l ON l.id = s.license_id
				        WHERE s.email = u.email AND l.product = ns.product))
			ORDER BY u.email`, product)
		if err != nil {
			return fmt.Errorf("subscribers: %w", err)
		}
		for rows.Next() {
			var sub Subscriber
			if err := rows.Scan(&sub.Email, &sub.Name); err != nil {
				rows.Close()
				return fmt.Errorf("subscribers: %w", err)
			}
			out.Subscribers = append(out.Subscribers, sub)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("subscribers: %w", err)
		}
		for _, sub := range out.Subscribers {
			if err := t.queueMail(ctx, MailNews, sub.Email, NewsMail{Subscriber: sub, Item: out.Item}); err != nil {
				return err
			}
		}
		return t.tellProductAudience(ctx, api.KindNews, product)
	})
	if err != nil {
		return NewsPublished{}, fmt.Errorf("publish news for %s: %w", product, err)
	}
	return out, nil
}

// productNews renders the news of the caller's products (all, or one),
// one entry per visible product, even without items, so that the
// subscription switch shows.
func productNews(ctx context.Context, q reader, d dialect, c Caller, only string) ([]api.ProductNews, error) {
	products, err := visibleProducts(ctx, q, d, c, only)
	if err != nil || len(products) == 0 {
		return []api.ProductNews{}, err
	}
	byProduct := make(map[string]*api.ProductNews, len(products))
	out := make([]api.ProductNews, len(products))
	for i, p := range products {
		out[i] = api.ProductNews{Product: p, Items: []api.NewsItem{}}
		byProduct[p] = &out[i]
	}
	seen := map[string]int64{}
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT product, seen_seq, visited_at FROM news_visits WHERE user_id = ?`), c.ID)
	if err != nil {
		return nil, fmt.Errorf("news visits: %w", err)
	}
	for rows.Next() {
		var p string
		var seq, at int64
		if err := rows.Scan(&p, &seq, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("news visits: %w", err)
		}
		if pn, ok := byProduct[p]; ok {
			seen[p] = seq
			v := fromMS(at)
			pn.LastVisit = &v
		}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, d.rebind(`SELECT product FROM news_subscriptions WHERE user_id = ?`), c.ID)
	if err != nil {
		return nil, fmt.Errorf("news subscriptions: %w", err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("news subscriptions: %w", err)
		}
		if pn, ok := byProduct[p]; ok {
			pn.Subscribed = true
		}
	}
	rows.Close()
	ph, args := inList(products)
	rows, err = q.QueryContext(ctx, d.rebind(`SELECT `+newsCols+` FROM news WHERE product IN (`+ph+`) ORDER BY product, seq DESC`), args...)
	if err != nil {
		return nil, fmt.Errorf("news: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNews(rows)
		if err != nil {
			return nil, fmt.Errorf("news: %w", err)
		}
		pn := byProduct[n.Product]
		if pn == nil || len(pn.Items) >= NewsPerProduct {
			continue
		}
		item := n.view(seen[n.Product])
		if item.New {
			pn.NewCount++
		}
		pn.Items = append(pn.Items, item)
	}
	return out, rows.Err()
}

// News lists the news of the caller's products, newest first, each item
// marked new when published since the caller's last visit of that
// product's news; product filters to one.
func (s *Store) News(ctx context.Context, c Caller, product string) ([]api.ProductNews, error) {
	var out []api.ProductNews
	err := s.readTx(ctx, func(t *tx) error {
		var err error
		out, err = productNews(ctx, t, t.d, c, product)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("news: %w", err)
	}
	return out, nil
}

// MarkNewsRead records the caller's visit of a product's news: what was
// published up to now is no longer new to them.
func (s *Store) MarkNewsRead(ctx context.Context, c Caller, w Write, product string) (api.ProductNews, error) {
	return s.newsWrite(ctx, c, w, product, func(t *tx, p string) error {
		if err := t.lockProductNews(ctx, p); err != nil {
			return err
		}
		var seen int64
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM news WHERE product = ?`, p).Scan(&seen); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO news_visits (user_id, product, seen_seq, visited_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, product) DO UPDATE SET seen_seq = excluded.seen_seq, visited_at = excluded.visited_at`,
			c.ID, p, seen, ms(t.now))
		return err
	})
}

// SetNewsSubscription switches the caller's e-mails of a product's news.
func (s *Store) SetNewsSubscription(ctx context.Context, c Caller, w Write, product string, on bool) (api.ProductNews, error) {
	return s.newsWrite(ctx, c, w, product, func(t *tx, p string) error {
		var err error
		if on {
			_, err = t.exec(ctx, `INSERT INTO news_subscriptions (user_id, product, subscribed_at) VALUES (?, ?, ?)
				ON CONFLICT (user_id, product) DO NOTHING`, c.ID, p, ms(t.now))
		} else {
			_, err = t.exec(ctx, `DELETE FROM news_subscriptions WHERE user_id = ? AND product = ?`, c.ID, p)
		}
		return err
	})
}

// newsWrite is the shape of the caller's news writes: check the caller
// sees the product, apply, tell the caller's own feed, answer with the
// product's news as it now stands.
func (s *Store) newsWrite(ctx context.Context, c Caller, w Write, product string, apply func(*tx, string) error) (api.ProductNews, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.ProductNews, error) {
		p, err := mustSeeProduct(ctx, t, t.d, c, product)
		if err != nil {
			return api.ProductNews{}, err
		}
		if err := apply(t, p); err != nil {
			return api.ProductNews{}, err
		}
		pn, err := productNews(ctx, t, t.d, c, p)
		if err != nil {
			return api.ProductNews{}, err
		}
		if len(pn) != 1 {
			return api.ProductNews{}, errNotListed
		}
		return pn[0], t.recordChange(ctx, api.KindNews, p, "", string(c.Email))
	})
	if err != nil {
		return api.ProductNews{}, fmt.Errorf("news of %s: %w", product, err)
	}
	return out, nil
}

// PublicNews returns a product's newest items (at most limit) for its
// public RSS feed: news is the vendor's announcement to everyone using the
// product, so it needs no login. known is false when the vendor has no
// such product.
func (s *Store) PublicNews(ctx context.Context, product string, limit int) (items []api.NewsItem, known bool, err error) {
	p, err := core.CleanProductName(product)
	if err != nil {
		return nil, false, nil
	}
	err = s.readTx(ctx, func(t *tx) error {
		if known, err = productKnown(ctx, t, t.d, p); err != nil || !known {
			return err
		}
		rows, err := t.QueryContext(ctx, t.d.rebind(`SELECT `+newsCols+` FROM news WHERE product = ? ORDER BY seq DESC LIMIT ?`), p, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		items = []api.NewsItem{}
		for rows.Next() {
			n, err := scanNews(rows)
			if err != nil {
				return err
			}
			it := n.view(n.Seq)
			items = append(items, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, false, fmt.Errorf("public news of %s: %w", p, err)
	}
	return items, known, nil
}

func (s *Store) newsView(ctx context.Context, c Caller, product string) (any, bool, error) {
	ps, err := s.News(ctx, c, product)
	if err != nil || len(ps) == 0 {
		return nil, false, err
	}
	return ps[0], true, nil
}

func (s *Store) listNews(ctx context.Context, c Caller) (map[string]any, error) {
	ps, err := s.News(ctx, c, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(ps))
	for _, p := range ps {
		out[p.Product] = p
	}
	return out, nil
}
