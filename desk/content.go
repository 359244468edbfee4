package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// DownloadFiles lists the downloads of the cached products, by product,
// newest first.
func (d *Desk) DownloadFiles(ctx context.Context) ([]api.DownloadFile, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := lsync.List[api.ProductDownloads](ctx, c, api.KindDownload)
	if err != nil {
		return nil, err
	}
	var out []api.DownloadFile
	for _, p := range ps {
		out = append(out, p.Files...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Product != out[j].Product {
			return out[i].Product < out[j].Product
		}
		return out[i].ReleasedAt.After(out[j].ReleasedAt)
	})
	return out, nil
}

// NoDownloadError: no download has that ID or name.
type NoDownloadError struct{ ID string }

// Error names it.
func (e *NoDownloadError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NoDownloadError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.no_download", Args: []any{"ID", e.ID}}
}

// FindDownload finds a download by ID or file name, freshening the cache
// once when it is not there (it may have been published since).
func (d *Desk) FindDownload(ctx context.Context, id string) (api.DownloadFile, error) {
	find := func() (api.DownloadFile, bool, error) {
		files, err := d.DownloadFiles(ctx)
		for _, f := range files {
			if f.ID == id || f.Name == id {
				return f, true, err
			}
		}
		return api.DownloadFile{}, false, err
	}
	f, ok, err := find()
	if err != nil || ok {
		return f, err
	}
	if _, err := d.Freshen(ctx); err != nil {
		return f, err
	}
	if f, ok, err = find(); err != nil || ok {
		return f, err
	}
	return f, &NoDownloadError{ID: id}
}

// Download fetches a file into dir (see Fetch) and returns its path.
func (d *Desk) Download(ctx context.Context, f api.DownloadFile, dir string, progress lsync.Progress) (string, error) {
	got, err := d.Fetch(ctx, f, dir, progress)
	return got.Path, err
}

// Fetched is a download in place.
type Fetched struct {
	Path string
	// Skipped: the file was there already, complete (its size and SHA-256
	// are the published ones), so nothing was downloaded.
	Skipped bool
}

// Fetch fetches a file into dir, resuming a part file left by an earlier
// try, and checks its SHA-256. A file already there with the published
// size and SHA-256 is not downloaded again. The portal records the
// download, which a pull then brings into the cache.
func (d *Desk) Fetch(ctx context.Context, f api.DownloadFile, dir string, progress lsync.Progress) (Fetched, error) {
	if strings.ContainsAny(f.Name, `/\`) || f.Name == "" || f.Name == "." || f.Name == ".." {
		return Fetched{}, i18n.Errorf("desk.download.bad_name", "Name", fmt.Sprintf("%q", f.Name))
	}
	dst := filepath.Join(dir, f.Name)
	if complete(dst, f) {
		return Fetched{Path: dst, Skipped: true}, nil
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return Fetched{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Fetched{}, err
	}
	if err := cl.Download(ctx, f, dst, progress); err != nil {
		return Fetched{Path: dst}, err
	}
	d.pullQuietly(ctx)
	return Fetched{Path: dst}, nil
}

// complete reports whether path holds the published file: its size, then
// its SHA-256 (read only when the size matches).
func complete(path string, f api.DownloadFile) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || f.SHA256 == "" || (f.Size > 0 && fi.Size() != f.Size) {
		return false
	}
	file, err := os.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return false
	}
	return strings.EqualFold(hex.EncodeToString(h.Sum(nil)), f.SHA256)
}

// NewsFeedURL is the address of a product's RSS feed at the login's portal.
func (d *Desk) NewsFeedURL(ctx context.Context, product string) (string, error) {
	cl, err := d.Client(ctx, lsync.NoRetry())
	if err != nil {
		return "", err
	}
	return cl.NewsFeedURL(product), nil
}

// RegisterProduct is the write that registers a product by license number
// to an account: the one named, else the license's own (when the cache
// knows it), else the user's.
func (d *Desk) RegisterProduct(ctx context.Context, number, account string) (lsync.Write, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return lsync.Write{}, err
	}
	known, _, err := c.SolutionByNumber(ctx, number)
	if err != nil {
		return lsync.Write{}, err
	}
	if account == "" {
		account = known.AccountID
	}
	if account == "" {
		if m, ok, err := d.OwnAccount(ctx); err != nil {
			return lsync.Write{}, err
		} else if ok {
			account = m.AccountID
		}
	}
	if known.AccountID != account {
		known = api.Solution{}
	}
	return lsync.RegisterProduct(account, number, known)
}

// PreviewKey asks the portal what a serial would yield, without issuing
// the key (the write that issues it goes through Submit).
func (d *Desk) PreviewKey(ctx context.Context, req api.GetKeyRequest) (api.KeyPreview, error) {
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.KeyPreview{}, err
	}
	qctx, cancel := d.quick(ctx)
	defer cancel()
	return cl.PreviewKey(qctx, req)
}

// History lists the recorded transitions of a license (who assigned,
// removed or adopted what, when). It needs the portal.
func (d *Desk) History(ctx context.Context, licenseID string) ([]api.AuditEvent, error) {
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return nil, err
	}
	return cl.Audit(ctx, licenseID)
}

// LastRegistration is the registration details the account gave with its
// latest key, to start a new serial's form from (the company's details
// rarely change); ok is false when no key carries any.
func (d *Desk) LastRegistration(ctx context.Context) (api.Registration, bool) {
	c, err := d.Cache(ctx)
	if err != nil {
		return api.Registration{}, false
	}
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	if err != nil {
		return api.Registration{}, false
	}
	var best *api.Key
	for i, k := range keys {
		if k.Registration != nil && (best == nil || k.IssuedAt.After(best.IssuedAt)) {
			best = &keys[i]
		}
	}
	if best == nil {
		return api.Registration{}, false
	}
	return *best.Registration, true
}

// UpgradeNotices lists the upgrade notifications the user's accounts can
// exchange for a new version's key. It needs the portal.
func (d *Desk) UpgradeNotices(ctx context.Context) ([]api.UpgradeNotice, error) {
	cl, err := d.online(ctx, lsync.NoRetry())
	if err != nil {
		return nil, err
	}
	qctx, cancel := d.quick(ctx)
	defer cancel()
	return cl.UpgradeNotices(qctx)
}
