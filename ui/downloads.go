package ui

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
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
	// paused is the file whose download was paused: Resume goes on with it.
	paused *api.DownloadFile
}

func newDownloadsTab(a *App) *DownloadsTab {
	t := &DownloadsTab{app: a, Dir: filepath.Join(a.cfg.ProfileDir, "downloads")}
	t.List = newFilterList("files", []column{{"Product · file", 320}, {"Version", 100}, {"Released · size", 180}, {"Downloaded", 110}, {"Newer version", 160}}, func(f api.DownloadFile, c []string) {
		c[0] = f.Product + " · " + f.Name
		c[1] = f.Version
		c[2] = day(f.ReleasedAt) + " · " + words.Size(i18n.English(), f.Size)
		c[3] = dayp(f.DownloadedAt)
		if f.NewerVersion {
			c[4] = "Newer: " + f.LatestVersion
		} else {
			c[4] = "Latest"
		}
	})
	t.Progress = widget.NewProgressBar()
	t.Message = widget.NewLabel("Select a file to download it into " + t.Dir + ".")
	t.Message.Truncation = fyne.TextTruncateEllipsis
	t.DownloadBtn = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() {
		if f, ok := t.List.current(); ok {
			t.Download(f)
		}
	})
	t.PauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), func() {
		switch {
		case t.pause != nil:
			t.pause()
		case t.paused != nil:
			t.Download(*t.paused)
		}
	})
	t.FolderBtn = widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), func() {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			t.Message.SetText(err.Error())
			return
		}
		if err := a.fa.OpenURL(&url.URL{Scheme: "file", Path: t.Dir}); err != nil {
			t.Message.SetText("The folder could not be opened: " + err.Error() + " (it is " + t.Dir + ")")
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
			t.Message.SetText(err.Error())
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
	t.PauseBtn.SetText("Pause")
	t.PauseBtn.SetIcon(theme.MediaPauseIcon())
	t.PauseBtn.Enable()
	t.Message.SetText("Downloading " + f.Name + "…")
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
			line := fmt.Sprintf("Downloading %s: %s of %s", f.Name, words.Size(i18n.English(), done), words.Size(i18n.English(), total))
			if el := time.Since(start).Seconds(); el >= 1 && done > from {
				rate := float64(done-from) / el
				left := time.Duration(float64(total-done)/rate) * time.Second
				line += fmt.Sprintf(" · %s/s · %s left", words.Size(i18n.English(), int64(rate)), left.Round(time.Second))
			}
			t.app.do(func() {
				t.Progress.SetValue(v)
				t.Message.SetText(line)
			})
		})
		paused := ctx.Err() != nil && t.app.ctx.Err() == nil
		cancel()
		t.app.do(func() {
			t.pause = nil
			t.PauseBtn.Disable()
			t.DownloadBtn.Enable()
			switch {
			case paused:
				t.paused = &f
				t.PauseBtn.SetText("Resume")
				t.PauseBtn.SetIcon(theme.MediaPlayIcon())
				t.PauseBtn.Enable()
				t.Message.SetText("Paused: Resume goes on with " + f.Name + " where it stopped.")
			case err != nil:
				if lsync.IsOffline(err) {
					err = errOffline
				}
				t.Message.SetText("Download failed: " + err.Error())
			default:
				t.Progress.SetValue(1)
				t.Message.SetText("Saved " + dst + " (SHA-256 verified).")
				t.app.SyncNow() // the portal recorded the download: refresh the history
			}
		})
	})
}
