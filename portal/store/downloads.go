package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/blobs"
)

// FileSpec is a file the vendor publishes for a product. Size and SHA256
// are what the vendor's release process declares; the bytes must match.
type FileSpec struct {
	Product    string
	Name       string
	Version    string
	ReleasedAt time.Time // now when zero
	Size       int64
	SHA256     string
}

// fileRow is a published file as stored.
type fileRow struct {
	ID, Product, Name, Version string
	ReleasedAt, PublishedAt    time.Time
	Size                       int64
	SHA256                     string
}

const fileCols = `id, product, name, version, released_at, size, sha256, published_at`

func scanFile(sc interface{ Scan(...any) error }) (fileRow, error) {
	var f fileRow
	var released, published int64
	err := sc.Scan(&f.ID, &f.Product, &f.Name, &f.Version, &released, &f.Size, &f.SHA256, &published)
	f.ReleasedAt, f.PublishedAt = fromMS(released), fromMS(published)
	return f, err
}

// view renders a file for a caller; latest is the product's newest
// version and downloaded the caller's last download of it (zero: never).
func (f fileRow) view(latest string, downloaded time.Time) api.DownloadFile {
	v := api.DownloadFile{ID: f.ID, Product: f.Product, Name: f.Name, Version: f.Version, ReleasedAt: f.ReleasedAt,
		Size: f.Size, SHA256: f.SHA256, LatestVersion: latest}
	v.NewerVersion, _ = core.NewerVersionExists(f.Version, latest)
	if !downloaded.IsZero() {
		v.DownloadedAt = &downloaded
	}
	return v
}

var errNoDownload = core.E(core.NotFound, core.CodeDownloadNotFound, "no such download among your products")

// PublishFile is the vendor operator's: it stores the bytes of a release in
// the content-addressed folder, refusing them unless they match the
// declared size and SHA-256, then lists the file under its product. Every
// account listing the product and every holder of a seat of it sees the
// new file (and older files now flagged "newer version available") at its
// next sync. The bytes are stored first: a failure after that leaves an
// unreferenced blob, which is harmless, never a listed file without bytes.
func (s *Store) PublishFile(ctx context.Context, dir blobs.Dir, spec FileSpec, content io.Reader) (api.DownloadFile, error) {
	f, err := core.DownloadFile{Product: spec.Product, Name: spec.Name, Version: spec.Version,
		Size: spec.Size, SHA256: spec.SHA256}.Validate()
	if err != nil {
		return api.DownloadFile{}, fmt.Errorf("publish file: %w", err)
	}
	if exists, err := s.fileNamed(ctx, f.Product, f.Name); err != nil || exists {
		if err == nil {
			err = core.WithArgs(core.E(core.Conflict, core.CodeDownloadExists, f.Product+" already has a file named "+f.Name+"; publish a new version under a new name"), "Product", f.Product, "Name", f.Name)
		}
		return api.DownloadFile{}, fmt.Errorf("publish file: %w", err)
	}
	if _, _, err := dir.Put(content, f.Size, f.SHA256); err != nil {
		return api.DownloadFile{}, fmt.Errorf("publish file %s: %w", f.Name, err)
	}
	var out api.DownloadFile
	err = s.inTx(ctx, func(t *tx) error {
		row := fileRow{ID: newID("fil"), Product: f.Product, Name: f.Name, Version: f.Version, ReleasedAt: fromMS(ms(spec.ReleasedAt)),
			PublishedAt: t.now, Size: f.Size, SHA256: f.SHA256}
		if row.ReleasedAt.IsZero() {
			row.ReleasedAt = t.now
		}
		if _, err := t.exec(ctx, `INSERT INTO files (`+fileCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			row.ID, row.Product, row.Name, row.Version, ms(row.ReleasedAt), row.Size, row.SHA256, ms(row.PublishedAt)); err != nil {
			if isUniqueViolation(err) {
				return core.WithArgs(core.E(core.Conflict, core.CodeDownloadExists, f.Product+" already has a file named "+f.Name), "Product", f.Product, "Name", f.Name)
			}
			return err
		}
		files, err := productFiles(ctx, t, t.d, []string{row.Product})
		if err != nil {
			return err
		}
		out = row.view(latestOf(files[row.Product]), time.Time{})
		return t.tellProductAudience(ctx, api.KindDownload, row.Product)
	})
	if err != nil {
		return api.DownloadFile{}, fmt.Errorf("publish file %s: %w", f.Name, err)
	}
	return out, nil
}

func (s *Store) fileNamed(ctx context.Context, product, name string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM files WHERE product = ? AND name = ?`), product, name).Scan(&n)
	return n > 0, err
}

// productFiles loads the files of products, newest release first.
func productFiles(ctx context.Context, q reader, d dialect, products []string) (map[string][]fileRow, error) {
	out := map[string][]fileRow{}
	if len(products) == 0 {
		return out, nil
	}
	ph, args := inList(products)
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+fileCols+` FROM files WHERE product IN (`+ph+`)
		ORDER BY product, released_at DESC, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		out[f.Product] = append(out[f.Product], f)
	}
	return out, rows.Err()
}

func latestOf(files []fileRow) string {
	vs := make([]string, len(files))
	for i, f := range files {
		vs[i] = f.Version
	}
	return core.LatestVersion(vs)
}

// lastDownloads returns the user's last download time of each file they
// downloaded.
func lastDownloads(ctx context.Context, q reader, d dialect, userID string) (map[string]time.Time, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT file_id, MAX(at) FROM downloads WHERE user_id = ? GROUP BY file_id`), userID)
	if err != nil {
		return nil, fmt.Errorf("last downloads: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("last downloads: %w", err)
		}
		out[id] = fromMS(at)
	}
	return out, rows.Err()
}

// productDownloads renders the downloads of the caller's products (all of
// them, or only one), one entry per visible product, empty or not.
func productDownloads(ctx context.Context, q reader, d dialect, c Caller, only string) ([]api.ProductDownloads, error) {
	products, err := visibleProducts(ctx, q, d, c, only)
	if err != nil {
		return nil, err
	}
	files, err := productFiles(ctx, q, d, products)
	if err != nil {
		return nil, err
	}
	last, err := lastDownloads(ctx, q, d, c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]api.ProductDownloads, 0, len(products))
	for _, p := range products {
		fs := files[p]
		latest := latestOf(fs)
		pd := api.ProductDownloads{Product: p, LatestVersion: latest, Files: make([]api.DownloadFile, 0, len(fs))}
		for _, f := range fs {
			pd.Files = append(pd.Files, f.view(latest, last[f.ID]))
		}
		out = append(out, pd)
	}
	return out, nil
}

// Downloads lists the files of the caller's products (products listed
// under their accounts or assigned to them), by product, newest release
// first, each with its product's latest version; product filters to one.
func (s *Store) Downloads(ctx context.Context, c Caller, product string) ([]api.DownloadFile, error) {
	out := []api.DownloadFile{}
	err := s.readTx(ctx, func(t *tx) error {
		ps, err := productDownloads(ctx, t, t.d, c, product)
		for _, p := range ps {
			out = append(out, p.Files...)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("downloads: %w", err)
	}
	return out, nil
}

// DownloadHistory is "downloads of the last two years" (source 003): each
// file the caller downloaded within core.DownloadWindowYears, once, with
// the date of their last download of it, newest first, and whether a
// newer version of its product exists now. It lists what the caller
// downloaded even where they no longer see the product: it is their own
// record.
func (s *Store) DownloadHistory(ctx context.Context, c Caller) ([]api.DownloadRecord, error) {
	out := []api.DownloadRecord{}
	err := s.readTx(ctx, func(t *tx) error {
		cutoff := t.now.AddDate(-core.DownloadWindowYears, 0, 0)
		rows, err := t.QueryContext(ctx, t.d.rebind(`SELECT f.id, f.product, f.name, f.version, f.released_at, f.size, f.sha256,
			f.published_at, MAX(d.at) FROM downloads d JOIN files f ON f.id = d.file_id
			WHERE d.user_id = ? AND d.at >= ?
			GROUP BY f.id, f.product, f.name, f.version, f.released_at, f.size, f.sha256, f.published_at
			ORDER BY MAX(d.at) DESC, f.id`), c.ID, ms(cutoff))
		if err != nil {
			return err
		}
		type hist struct {
			f  fileRow
			at time.Time
		}
		var hs []hist
		seen := map[string]bool{}
		var products []string
		for rows.Next() {
			var h hist
			var released, published, at int64
			if err := rows.Scan(&h.f.ID, &h.f.Product, &h.f.Name, &h.f.Version, &released, &h.f.Size, &h.f.SHA256,
				&published, &at); err != nil {
				rows.Close()
				return err
			}
			h.f.ReleasedAt, h.f.PublishedAt, h.at = fromMS(released), fromMS(published), fromMS(at)
			if !core.InDownloadWindow(h.at, t.now) {
				continue
			}
			hs = append(hs, h)
			if !seen[h.f.Product] {
				seen[h.f.Product] = true
				products = append(products, h.f.Product)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		files, err := productFiles(ctx, t, t.d, products)
		if err != nil {
			return err
		}
		for _, h := range hs {
			v := h.f.view(latestOf(files[h.f.Product]), h.at)
			out = append(out, api.DownloadRecord{FileID: v.ID, Product: v.Product, FileName: v.Name, FileDate: v.ReleasedAt,
				DownloadedAt: h.at, Version: v.Version, LatestVersion: v.LatestVersion, NewerVersion: v.NewerVersion})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("download history: %w", err)
	}
	return out, nil
}

// Blob is what serving a download needs: the file as the caller sees it,
// and when its bytes were published (the Last-Modified of the answer).
type Blob struct {
	File        api.DownloadFile
	PublishedAt time.Time
}

// DownloadBlob returns a file the caller may download. A file of a product
// the caller does not see is "not found", like one that does not exist.
func (s *Store) DownloadBlob(ctx context.Context, c Caller, fileID string) (Blob, error) {
	var out Blob
	err := s.readTx(ctx, func(t *tx) error {
		f, err := t.visibleFile(ctx, c, fileID)
		if err != nil {
			return err
		}
		files, err := productFiles(ctx, t, t.d, []string{f.Product})
		if err != nil {
			return err
		}
		out = Blob{File: f.view(latestOf(files[f.Product]), time.Time{}), PublishedAt: f.PublishedAt}
		return nil
	})
	if err != nil {
		return Blob{}, fmt.Errorf("download %s: %w", fileID, err)
	}
	return out, nil
}

// visibleFile loads a file of one of the caller's products.
func (t *tx) visibleFile(ctx context.Context, c Caller, fileID string) (fileRow, error) {
	f, err := scanFile(t.QueryRowContext(ctx, t.d.rebind(`SELECT `+fileCols+` FROM files WHERE id = ?`), fileID))
	if errors.Is(err, sql.ErrNoRows) {
		return fileRow{}, errNoDownload
	}
	if err != nil {
		return fileRow{}, err
	}
	ps, err := visibleProducts(ctx, t, t.d, c, f.Product)
	if err != nil {
		return fileRow{}, err
	}
	if len(ps) == 0 {
		return fileRow{}, errNoDownload
	}
	return f, nil
}

// RecordDownload records that the caller downloaded a file (the portal
// calls it once per download, when the answer starts at byte 0), and lists
// the file's product under the caller's own account (source 003: a product
// appears after a download).
func (s *Store) RecordDownload(ctx context.Context, c Caller, fileID string) error {
	err := s.inTx(ctx, func(t *tx) error {
		f, err := t.visibleFile(ctx, c, fileID)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO downloads (user_id, file_id, at) VALUES (?, ?, ?)`, c.ID, f.ID, ms(t.now)); err != nil {
			return err
		}
		if home := c.homeAccount(); home != "" {
			if err := t.addProduct(ctx, core.AccountID(home), f.Product, core.SourceDownload); err != nil {
				return err
			}
		}
		return t.recordChange(ctx, api.KindDownload, f.Product, "", string(c.Email))
	})
	if err != nil {
		return fmt.Errorf("record download of %s: %w", fileID, err)
	}
	return nil
}

func (s *Store) downloadsView(ctx context.Context, c Caller, product string) (any, bool, error) {
	var ps []api.ProductDownloads
	err := s.readTx(ctx, func(t *tx) error {
		var err error
		ps, err = productDownloads(ctx, t, t.d, c, product)
		return err
	})
	if err != nil || len(ps) == 0 {
		return nil, false, err
	}
	return ps[0], true, nil
}

func (s *Store) listDownloads(ctx context.Context, c Caller) (map[string]any, error) {
	var ps []api.ProductDownloads
	err := s.readTx(ctx, func(t *tx) error {
		var err error
		ps, err = productDownloads(ctx, t, t.d, c, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list downloads: %w", err)
	}
	out := make(map[string]any, len(ps))
	for _, p := range ps {
		out[p.Product] = p
	}
	return out, nil
}
