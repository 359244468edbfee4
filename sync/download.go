package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
)

// Progress is told how far a download has come; total is -1 when unknown.
type Progress func(done, total int64)

// Download fetches a published file into dst. The bytes go to dst+".part"
// first; a later call (or a retry after a broken connection) resumes from
// what is there with an HTTP Range tied to the file's digest (If-Range), so
// a new release can never be glued onto an old one. The whole file is
// checked against its published SHA-256 before it takes dst's name; a
// mismatch removes the part file.
func (c *Client) Download(ctx context.Context, f api.DownloadFile, dst string, progress Progress) error {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	part := dst + ".part"
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("download %s: %w", f.Name, err)
	}
	// A resumed download whose digest fails may have resumed on bytes that
	// were not the portal's: it gets one fresh start.
	for attempt := 0; ; attempt++ {
		_, statErr := os.Stat(part)
		resumed := statErr == nil
		if err := c.retry.retry(ctx, func() error { return c.downloadOnce(ctx, f, part, progress) }); err != nil {
			return err
		}
		sum, err := fileSHA256(part)
		if err != nil {
			return fmt.Errorf("download %s: %w", f.Name, err)
		}
		if f.SHA256 == "" || strings.EqualFold(sum, f.SHA256) {
			break
		}
		os.Remove(part)
		if !resumed || attempt > 0 {
			return &Error{Kind: Invalid, Code: "download.digest",
				Msg: fmt.Sprintf("%s arrived damaged (SHA-256 %s, published %s): it was deleted; download it again", f.Name, sum[:12], f.SHA256[:min(12, len(f.SHA256))])}
		}
	}
	if err := os.Rename(part, dst); err != nil {
		return fmt.Errorf("download %s: %w", f.Name, err)
	}
	return nil
}

func (c *Client) downloadOnce(ctx context.Context, f api.DownloadFile, part string, progress Progress) error {
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	if f.Size > 0 && have >= f.Size {
		// Complete already (or too long: the digest check decides).
		progress(have, f.Size)
		return nil
	}
	u := *c.base
	u.Path = c.base.Path + "/v1/downloads/" + url.PathEscape(f.ID) + "/content"
	// The body may take long, so there is no whole-request timeout; a
	// transfer that stalls for a minute is cut instead (and resumed).
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(stallTimeout, cancel)
	defer stall.Stop()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	c.identify(req)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		if f.SHA256 != "" {
			req.Header.Set("If-Range", `"`+f.SHA256+`"`)
		}
	}
	hc := *c.http
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return c.netError(ctx, err)
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	switch resp.StatusCode {
	case http.StatusPartialContent:
		flags |= os.O_APPEND
	case http.StatusOK:
		flags |= os.O_TRUNC // a fresh start: the range was refused or the file changed
		have = 0
	default:
		return c.problem(resp)
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return fmt.Errorf("download %s: %w", f.Name, err)
	}
	total := f.Size
	if total <= 0 {
		total = -1
	}
	w := &progressWriter{w: out, done: have, total: total, report: progress}
	_, cerr := io.Copy(w, &stallReader{r: resp.Body, timer: stall})
	if err := out.Close(); err != nil && cerr == nil {
		cerr = err
	}
	if cerr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A broken transfer is transient: the retry resumes from here.
		return &Error{Kind: Offline, Code: "network", Msg: fmt.Sprintf("the download of %s broke off: %v", f.Name, cerr), Err: cerr}
	}
	return nil
}

// progressWriter counts bytes for the progress callback, at most ten times
// a second.
type progressWriter struct {
	w           io.Writer
	done, total int64
	report      Progress
	last        time.Time
}

// Write counts and passes the bytes on.
func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if now := time.Now(); now.Sub(p.last) > 100*time.Millisecond || p.done == p.total {
		p.last = now
		p.report(p.done, p.total)
	}
	return n, err
}

// stallTimeout is how long a download may go without a byte.
const stallTimeout = time.Minute

// stallReader rearms the stall timer on every read that brings bytes.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
}

// Read reads and rearms the timer.
func (s *stallReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if n > 0 {
		s.timer.Reset(stallTimeout)
	}
	return n, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", errors.New("nothing was downloaded")
		}
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
