package ui

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
)

// rangeLog records the Range headers of the download requests the portal
// receives.
type rangeLog struct {
	mu     sync.Mutex
	ranges []string
}

// wrap records the Range and sends a file's bytes in small, spaced
// chunks (a slow link), so that the first progress step comes long before
// the end whatever the machine's load.
func (l *rangeLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/content") {
			h.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		l.ranges = append(l.ranges, r.Header.Get("Range"))
		l.mu.Unlock()
		h.ServeHTTP(&slowWriter{ResponseWriter: w, ctx: r.Context()}, r)
	})
}

// slowWriter passes at most 8 KiB at a time, 10 ms apart, until the client
// goes away.
type slowWriter struct {
	http.ResponseWriter
	ctx interface{ Done() <-chan struct{} }
}

func (s *slowWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		chunk := min(len(b), 8<<10)
		m, err := s.ResponseWriter.Write(b[:chunk])
		n += m
		if err != nil {
			return n, err
		}
		if f, ok := s.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		b = b[chunk:]
		select {
		case <-s.ctx.Done():
			return n, http.ErrAbortHandler
		case <-time.After(10 * time.Millisecond):
		}
	}
	return n, nil
}

func (l *rangeLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ranges...)
}

func TestDownloads_PauseKeepsThePartAndResumeGoesOnFromIt(t *testing.T) {
	var log rangeLog
	p := portaltest.StartWrapped(t, log.wrap)
	logins := p.Seed()
	var login Login
	for _, l := range logins {
		if l.Email == "ana@acme.example" {
			login = Login{Portal: p.URL, Email: l.Email, Password: l.Password, Name: l.Name}
		}
	}
	require.NotEmpty(t, login.Email)
	a, err := New(test.NewTempApp(t), Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, allTabs: true, SignIn: &login,
		hardware: fakeHardware(laptop())})
	require.NoError(t, err)
	t.Cleanup(a.Close)

	dl := a.Downloads
	require.NotEmpty(t, dl.List.rows.items)
	f := dl.List.rows.items[0]
	dl.List.selectWhere(func(x api.DownloadFile) bool { return x.ID == f.ID })
	assert.True(t, dl.FolderBtn.Visible(), "Open folder is offered")

	assert.False(t, dl.Progress.Visible(), "no bar (that would read as full at 0%) before a download")

	// The user presses Pause as soon as the first bytes arrive.
	paused := false
	dl.onProgress = append(dl.onProgress, func(done, total int64) {
		if !paused && done < total {
			paused = true
			require.False(t, dl.PauseBtn.Disabled(), "Pause is enabled while a download runs")
			assert.Contains(t, dl.Message.Text, "Downloading "+f.Name)
			test.Tap(dl.PauseBtn)
		}
	})
	test.Tap(dl.DownloadBtn)
	require.True(t, paused, "the download reported progress before it ended")
	assert.Equal(t, "Resume", dl.PauseBtn.Text, "a paused download offers Resume")
	assert.False(t, dl.PauseBtn.Disabled())
	assert.Contains(t, dl.Message.Text, "Paused")
	assert.True(t, dl.Progress.Visible())
	assert.Less(t, dl.Progress.Value, 1.0, "the bar shows the part, not a full file")
	dst := filepath.Join(dl.Dir, filepath.Base(f.Name))
	part, err := os.Stat(dst + ".part")
	require.NoError(t, err, "the bytes fetched so far are kept")
	assert.Less(t, part.Size(), f.Size)
	_, err = os.Stat(dst)
	assert.True(t, os.IsNotExist(err), "no file takes the name before it is whole and verified")

	test.Tap(dl.PauseBtn) // Resume
	assert.Contains(t, dl.Message.Text, "SHA-256 verified")
	assert.Equal(t, "Pause", dl.PauseBtn.Text)
	assert.True(t, dl.PauseBtn.Disabled(), "nothing to pause once the file is saved")
	st, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, f.Size, st.Size())
	ranges := log.all()
	require.Len(t, ranges, 2)
	assert.Empty(t, ranges[0], "the first request asks for the whole file")
	assert.Regexp(t, `^bytes=[1-9][0-9]*-$`, ranges[1], "Resume asks only for what is missing")
}
