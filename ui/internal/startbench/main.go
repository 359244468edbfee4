// Command startbench measures License Desk's window against baselines in
// the same run, alternating them (A B A B ...) so that both see the same
// machine state, and prints each figure as the median and range of the
// per-pair ratios (or differences), with the load average:
//
//	startbench -profile DIR [-empty DIR] [-runs N]
//
// It times process start to first frame over the profile's cache against a
// bare Fyne window; with -empty, it measures the window's resident memory
// once its cache is loaded against the same window over a profile with an
// almost empty cache.
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
	"strconv"
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
	child := flag.String("child", "", "bare, full or rss: run one window and report its first frame (rss: its settled memory)")
	prof := flag.String("profile", "", "the profile folder (LICDESK_HOME) of the full window")
	empty := flag.String("empty", "", "a profile folder with an almost empty cache: the memory baseline")
	runs := flag.Int("runs", 5, "runs per mode")
	flag.Parse()
	if *child != "" {
		os.Exit(runChild(*child, *prof))
	}
	if *prof == "" {
		fmt.Fprintln(os.Stderr, "startbench: -profile is required")
		os.Exit(2)
	}
	if err := frames(*prof, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "startbench:", err)
		os.Exit(1)
	}
	if *empty != "" {
		if err := memory(*prof, *empty, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "startbench:", err)
			os.Exit(1)
		}
	}
}

// frames times the first frame of the bare and the full window, alternated.
func frames(prof string, runs int) error {
	fmt.Printf("first frame, %d alternated pairs, load average %s\n", runs, loadavg())
	var bare, full, ratios []float64
	for i := 0; i < runs; i++ {
		b, err := timeChild("bare", prof)
		if err != nil {
			return fmt.Errorf("bare: %w", err)
		}
		f, err := timeChild("full", prof)
		if err != nil {
			return fmt.Errorf("full: %w", err)
		}
		bare, full = append(bare, ms(b)), append(full, ms(f))
		ratios = append(ratios, float64(f)/float64(b))
	}
	fmt.Printf("  bare Fyne window:       median %6.0f ms, range %s ms\n", median(bare), span(bare, "%.0f"))
	fmt.Printf("  License Desk:           median %6.0f ms, range %s ms\n", median(full), span(full, "%.0f"))
	fmt.Printf("  ratio per pair:         median %6.2f,    range %s   (%s)\n", median(ratios), span(ratios, "%.2f"), list(ratios))
	fmt.Printf("  load average after: %s\n", loadavg())
	return nil
}

// memory measures the settled resident memory of the window over prof and
// over empty, alternated.
func memory(prof, empty string, runs int) error {
	fmt.Printf("resident memory with the cache loaded, %d alternated pairs, load average %s\n", runs, loadavg())
	var full, base, diff []float64
	for i := 0; i < runs; i++ {
		f, err := rssChild(prof)
		if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		e, err := rssChild(empty)
		if err != nil {
			return fmt.Errorf("memory (empty cache): %w", err)
		}
		full, base, diff = append(full, f), append(base, e), append(diff, f-e)
	}
	fmt.Printf("  window, full cache:     median %6.0f MB, range %s MB\n", median(full), span(full, "%.0f"))
	fmt.Printf("  window, empty cache:    median %6.0f MB, range %s MB\n", median(base), span(base, "%.0f"))
	fmt.Printf("  what the cache adds:    median %6.0f MB, range %s MB   (%s)\n", median(diff), span(diff, "%.0f"), list(diff))
	fmt.Printf("  load average after: %s\n", loadavg())
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func span(vs []float64, f string) string {
	return fmt.Sprintf(f+" - "+f, slices.Min(vs), slices.Max(vs))
}

func list(vs []float64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strings.Join(out, " ")
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// timeChild runs one child and returns the time from start to its frame.
func timeChild(mode, prof string) (time.Duration, error) {
	var d time.Duration
	start := time.Now()
	err := runWatched(mode, prof, func(line string) bool {
		if strings.HasPrefix(line, "frame") {
			d = time.Since(start)
			return true
		}
		return false
	})
	if d == 0 && err == nil {
		err = fmt.Errorf("no frame")
	}
	return d, err
}

// rssChild runs the window over prof and returns its settled resident
// memory in MB.
func rssChild(prof string) (float64, error) {
	var mb float64
	err := runWatched("rss", prof, func(line string) bool {
		if v, ok := strings.CutPrefix(line, "rss "); ok {
			kb, err := strconv.ParseFloat(v, 64)
			if err == nil {
				mb = kb / 1024
			}
			return true
		}
		return false
	})
	if mb == 0 && err == nil {
		err = fmt.Errorf("no rss line")
	}
	return mb, err
}

// runWatched runs one child, hands each line of its output to seen until it
// returns true, and waits for the child to end.
func runWatched(mode, prof string, seen func(string) bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-child", mode, "-profile", prof)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	done := false
	for sc.Scan() {
		if !done && seen(sc.Text()) {
			done = true
		}
	}
	if err := cmd.Wait(); err != nil && !done {
		return err
	}
	return nil
}

// vmRSS is this process's resident memory in kB.
func vmRSS() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// settle waits until the resident memory stops growing (four samples a
// quarter of a second apart within 1 MB, at most 30 s) and returns it.
func settle() int {
	var last []int
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		last = append(last, vmRSS())
		if n := len(last); n >= 4 && slices.Max(last[n-4:])-slices.Min(last[n-4:]) < 1024 {
			break
		}
	}
	return last[len(last)-1]
}

// runChild opens one window, prints "frame" at its first paint (rss: its
// settled memory after that) and quits.
func runChild(mode, prof string) int {
	var once sync.Once
	var fa fyne.App
	probe := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			fmt.Println("frame")
			go func() {
				if mode == "rss" {
					fmt.Println("rss", settle())
				}
				fyne.Do(func() { fa.Quit() })
			}()
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
	case "full", "rss":
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
