// Package blobs keeps the bytes of published downloads in a
// content-addressed folder: a file is stored under its SHA-256, so the same
// installer published twice is kept once, a stored file can be checked
// against its name, and a name never collides.
//
// Installers run to hundreds of megabytes. On disk they are served with
// sendfile and read with Range by offset, and they stay out of the
// database, whose backups, replication and WAL would otherwise carry every
// byte of every release. The database keeps only the file's metadata and
// digest.
package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/licdesk/licdesk/core"
)

// Dir is a content-addressed folder: <Path>/sha256/<first two hex>/<hex>.
type Dir struct {
	Path string
}

// ErrMissing reports that no blob with a digest is stored.
var ErrMissing = errors.New("blob missing")

// path returns where a digest is stored, refusing anything that is not a
// lower-case hex SHA-256 so that no input can name a path outside Dir.
func (d Dir) path(sum string) (string, error) {
	if d.Path == "" {
		return "", errors.New("blobs: no folder configured")
	}
	if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size || strings.ToLower(sum) != sum {
		return "", fmt.Errorf("blobs: %q is not a SHA-256", sum)
	}
	return filepath.Join(d.Path, "sha256", sum[:2], sum), nil
}

// Put stores the bytes of r and returns their SHA-256. When wantSize or
// wantSHA256 are given (non-zero, non-empty) the bytes must match them, or
// nothing is stored and a core refusal (download.size, download.digest)
// says which differed. The bytes are written to a temporary file, synced,
// then renamed into place, so a crash never leaves a partial blob under a
// digest's name; storing a digest that exists already keeps the first copy.
func (d Dir) Put(r io.Reader, wantSize int64, wantSHA256 string) (sum string, size int64, err error) {
	if d.Path == "" {
		return "", 0, errors.New("blobs: no folder configured")
	}
	tmpDir := filepath.Join(d.Path, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return "", 0, fmt.Errorf("blobs: %w", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blobs: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, fmt.Errorf("blobs: write: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if wantSize > 0 && size != wantSize {
		return "", 0, core.E(core.Invalid, core.CodeDownloadSize,
			fmt.Sprintf("the file has %d bytes, not the %d declared", size, wantSize))
	}
	if wantSHA256 != "" && !strings.EqualFold(sum, wantSHA256) {
		return "", 0, core.E(core.Invalid, core.CodeDownloadDigest,
			"the file's SHA-256 is "+sum+", not the one declared")
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blobs: sync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blobs: close: %w", err)
	}
	final, err := d.path(sum)
	if err != nil {
		return "", 0, err
	}
	if err = os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return "", 0, fmt.Errorf("blobs: %w", err)
	}
	if _, statErr := os.Stat(final); statErr == nil {
		os.Remove(tmp.Name())
		return sum, size, nil
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("blobs: store %s: %w", sum, err)
	}
	return sum, size, nil
}

// Open opens the blob with a digest for reading; ErrMissing when there is
// none.
func (d Dir) Open(sum string) (*os.File, error) {
	p, err := d.path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blobs: %s: %w", sum, ErrMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	return f, nil
}
