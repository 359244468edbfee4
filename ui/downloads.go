package ui

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	lsync "github.com/licdesk/licdesk/sync"
)

// DownloadsTab is "Downloads": every file of the user's products with
// version, date and size, the user's download history (last download, and
// whether a newer version exists), and a download with a progress bar that
// pauses and resumes; the file is checked against its SHA-256 before it
// takes its name.
type DownloadsTab struct {
	app         *App
	List        *filterList[api.DownloadFile]
	Progress    *widget.ProgressBar
	DownloadBtn *widget.Button
	PauseBtn    *widget.Button
	// FolderBtn opens the downloads folder in the desktop's file manager.
	FolderBtn *widget.Button
	Message   *widget.Label
	// Dir is where files are saved (the profile's downloads folder).
	Dir string

	pause context.CancelFunc // stops the download in flight (UI goroutine)
	// onProgress are told of each progress step on the UI goroutine, after
	// the bar and the line are drawn (bytes done, total).
	onProgress []func(done, total int64)
	// paused is the file whose download was paused: Resume goes on with it.
	paused *api.DownloadFile
}

func newDownloadsTab(a *App) *DownloadsTab {
	t := &DownloadsTab{app: a, Dir: filepath.Join(a.cfg.ProfileDir, "downloads")}
	l := a.l
	t.List = newList(l, "files", []column{{l.T("ui.downloads.col.file"), 320}, {l.T("ui.downloads.col.version"), 100},
		{l.T("ui.downloads.col.released"), 180}, {l.T("ui.downloads.col.downloaded"), 110}, {l.T("ui.downloads.col.newer"), 160}}, func(f api.DownloadFile, c []string) {
		c[0] = f.Product + " · " + f.Name
		c[1] = f.Version
		c[2] = a.day(f.ReleasedAt) + " · " + l.Size(f.Size)
		c[3] = a.dayp(f.DownloadedAt)
		if f.NewerVersion {
			c[4] = l.T("ui.downloads.newer", "Version", f.LatestVersion)
		} else {
			c[4] = l.T("ui.downloads.latest")
		}
	})
	t.Progress = widget.NewProgressBar()
	// Fyne draws the bar's empty track as a half-tone of the fill, which
	// reads as a full bar at 0%: the bar shows only once a download starts.
	t.Progress.Hide()
	t.Message = widget.NewLabel(l.T("ui.downloads.select", "Dir", t.Dir))
	t.Message.Truncation = fyne.TextTruncateEllipsis
	t.DownloadBtn = widget.NewButtonWithIcon(l.T("ui.downloads.download"), theme.DownloadIcon(), func() {
		if f, ok := t.List.current(); ok {
			t.Download(f)
		}
	})
	t.PauseBtn = widget.NewButtonWithIcon(l.T("ui.downloads.pause"), theme.MediaPauseIcon(), func() {
		switch {
		case t.pause != nil:
			t.pause()
		case t.paused != nil:
			t.Download(*t.paused)
		}
	})
	t.FolderBtn = widget.NewButtonWithIcon(l.T("ui.downloads.folder"), theme.FolderOpenIcon(), func() {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			t.Message.SetText(l.Err(err))
			return
		}
		if err := a.fa.OpenURL(&url.URL{Scheme: "file", Path: t.Dir}); err != nil {
			t.Message.SetText(l.T("ui.downloads.folder_failed", "Reason", l.Err(err), "Dir", t.Dir))
		}
	})
	t.PauseBtn.Disable()
	t.DownloadBtn.Disable()
	t.List.onOpen = func(f api.DownloadFile) { t.Download(f) }
	t.List.onSelect = func(api.DownloadFile) {
		if t.pause == nil {
			t.DownloadBtn.Enable()
		}
	}
	return t
}

func (t *DownloadsTab) content() fyne.CanvasObject {
	bottom := container.NewVBox(widget.NewSeparator(), t.Message,
		container.NewBorder(nil, nil, nil, container.NewHBox(t.DownloadBtn, t.PauseBtn, t.FolderBtn), t.Progress))
	return container.NewBorder(nil, bottom, nil, nil,
		t.List.view())
}

func (t *DownloadsTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

func (t *DownloadsTab) load(ctx context.Context) func() {
	groups, err := lsync.List[api.ProductDownloads](ctx, t.app.sess.cache, api.KindDownload)
	var files []api.DownloadFile
	for _, g := range groups {
		files = append(files, g.Files...)
	}
	r := prepareRows(files, func(f api.DownloadFile) string { return f.Product + " " + f.Name + " " + f.Version })
	return func() {
		if err != nil {
			t.Message.SetText(t.app.l.Err(err))
		}
		t.List.set(r, func(a, b api.DownloadFile) bool { return a.ID == b.ID })
	}
}

// Download fetches a file with progress; a paused download resumes from its
// part file on the next Download of the same file.
func (t *DownloadsTab) Download(f api.DownloadFile) {
	if t.pause != nil || !t.app.online() {
		return
	}
	ctx, cancel := context.WithCancel(t.app.ctx)
	t.pause, t.paused = cancel, nil
	t.DownloadBtn.Disable()
	t.Progress.Show()
	l := t.app.l
	t.PauseBtn.SetText(l.T("ui.downloads.pause"))
	t.PauseBtn.SetIcon(theme.MediaPauseIcon())
	t.PauseBtn.Enable()
	t.Message.SetText(l.T("ui.downloads.working", "File", f.Name))
	start, from := time.Now(), int64(-1)
	t.app.bg(func(context.Context) {
		dst, err := t.app.sess.d.Download(ctx, f, t.Dir, func(done, total int64) {
			if from < 0 {
				from = done // a resumed download starts where it stopped
			}
			if total <= 0 {
				return
			}
			v := float64(done) / float64(total)
			line := l.T("ui.downloads.progress", "File", f.Name, "Done", l.Size(done), "Total", l.Size(total))
			if el := time.Since(start).Seconds(); el >= 1 && done > from {
				rate := float64(done-from) / el
				left := time.Duration(float64(total-done)/rate) * time.Second
				line += " · " + l.T("ui.downloads.speed", "Rate", l.Size(int64(rate)), "Left", left.Round(time.Second).String())
			}
			t.app.do(func() {
				t.Progress.SetValue(v)
				t.Message.SetText(line)
				for _, fn := range t.onProgress {
					fn(done, total)
				}
			})
		})
		// Paused only if the transfer did stop: a Pause pressed as the last
		// bytes arrived leaves a whole, verified file.
		paused := err != nil && ctx.Err() != nil && t.app.ctx.Err() == nil
		cancel()
		t.app.do(func() {
			t.pause = nil
			t.PauseBtn.Disable()
			t.DownloadBtn.Enable()
			switch {
			case paused:
				t.paused = &f
				t.PauseBtn.SetText(l.T("ui.downloads.resume"))
				t.PauseBtn.SetIcon(theme.MediaPlayIcon())
				t.PauseBtn.Enable()
				t.Message.SetText(l.T("ui.downloads.paused", "File", f.Name))
			case err != nil:
				if lsync.IsOffline(err) {
					err = errOffline
				}
				t.Message.SetText(l.T("ui.downloads.failed", "Reason", l.Err(err)))
			default:
				t.Progress.SetValue(1)
				t.Message.SetText(l.T("ui.downloads.saved", "Path", dst))
				t.app.SyncNow() // the portal recorded the download: refresh the history
			}
		})
	})
}
