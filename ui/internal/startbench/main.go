// Command startbench measures process start to first frame of License Desk's
// window over a profile's cache, against a bare Fyne window in the same run
// (alternating, so that both see the same machine state).
//
//	startbench -profile DIR [-runs N]
//
// It runs itself as a child in each mode and times from exec to the child's
// "frame" line, which the child prints from the first paint of its window
// (a 1x1 raster's generator runs when the canvas is first drawn).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/ui"
)

func main() {
	child := flag.String("child", "", "bare or full: run one window and report its first frame")
	prof := flag.String("profile", "", "the profile folder (LICDESK_HOME) of the full window")
	runs := flag.Int("runs", 5, "runs per mode")
	flag.Parse()
	if *child != "" {
		os.Exit(runChild(*child, *prof))
	}
	if *prof == "" {
		fmt.Fprintln(os.Stderr, "startbench: -profile is required")
		os.Exit(2)
	}
	times := map[string][]time.Duration{}
	for i := 0; i < *runs; i++ {
		for _, mode := range []string{"bare", "full"} {
			d, err := timeChild(mode, *prof)
			if err != nil {
				fmt.Fprintln(os.Stderr, "startbench:", mode, err)
				os.Exit(1)
			}
			times[mode] = append(times[mode], d)
		}
	}
	bare, full := median(times["bare"]), median(times["full"])
	fmt.Printf("bare Fyne window: median %v of %v\n", bare.Round(time.Millisecond), times["bare"])
	fmt.Printf("License Desk:     median %v of %v\n", full.Round(time.Millisecond), times["full"])
	fmt.Printf("ratio: %.2fx\n", float64(full)/float64(bare))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// timeChild runs one child and returns the time from start to its frame.
func timeChild(mode, prof string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-child", mode, "-profile", prof)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	cmd.Stderr = nil
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(out)
	var d time.Duration
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "frame") {
			d = time.Since(start)
			break
		}
	}
	for sc.Scan() {
	}
	if err := cmd.Wait(); err != nil && d == 0 {
		return 0, err
	}
	if d == 0 {
		return 0, fmt.Errorf("no frame")
	}
	return d, nil
}

// runChild opens one window, prints "frame" at its first paint and quits.
func runChild(mode, prof string) int {
	var once sync.Once
	var fa fyne.App
	probe := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			fmt.Println("frame")
			go fyne.Do(func() { fa.Quit() })
		})
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	})
	switch mode {
	case "bare":
		fa = app.NewWithID("io.github.licdesk.startbench")
		w := fa.NewWindow("bare")
		w.Resize(fyne.NewSize(1100, 720))
		w.SetContent(container.NewStack(widget.NewLabel("Hello"), probe))
		w.Show()
		fa.Run()
	case "full":
		fa = app.NewWithID("io.github.licdesk.startbench")
		a, err := ui.New(fa, ui.Config{ProfileDir: prof, SecretsMode: "file"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		w := a.Window()
		w.SetContent(container.NewStack(w.Content(), probe))
		a.ShowAndRun()
	default:
		return 2
	}
	return 0
}
