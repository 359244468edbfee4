// Command benchratio measures benchmarks against their baselines the way
// BENCHMARKS.md publishes them: it builds a package's test binary once,
// runs it for a number of rounds (each round one process running every
// benchmark named, so a figure and its baseline alternate: A B A B ...),
// and prints, per figure, the median and range over the rounds of the
// ratio of the two, beside the load average of the machine.
//
//	go run ./cmd/benchratio -pkg ./portal -rounds 5 -benchtime 3x \
//	    -bench 'FirstSync' -ratio 'first sync 50k / 10k=FirstSync/sqlite/50k/FirstSync/sqlite/10k'
//
// A ratio is "LABEL=A/B" (the time per operation of A over B's: a cost
// ratio) or "rate:LABEL=A/B" (operations per second of A over B's: a
// throughput ratio). A and B are benchmark names without the -N suffix;
// the split is at the "/" that leaves both sides names the run reported.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type ratioFlag []string

func (r *ratioFlag) String() string     { return strings.Join(*r, ", ") }
func (r *ratioFlag) Set(v string) error { *r = append(*r, v); return nil }

type config struct {
	pkg       string
	bench     string
	benchtime string
	rounds    int
	ratios    []string
	env       []string
	metrics   []string
}

func main() {
	var c config
	var ratios ratioFlag
	var metrics string
	flag.StringVar(&c.pkg, "pkg", "", "package whose benchmarks to run (./portal)")
	flag.StringVar(&c.bench, "bench", ".", "-bench pattern of every round")
	flag.StringVar(&c.benchtime, "benchtime", "1x", "-benchtime of every round")
	flag.IntVar(&c.rounds, "rounds", 5, "number of alternated rounds")
	flag.Var(&ratios, "ratio", "LABEL=A/B or rate:LABEL=A/B (repeatable)")
	flag.StringVar(&metrics, "metrics", "", "comma-separated extra metrics to report the median of (stmts/write)")
	flag.Parse()
	c.ratios = ratios
	if metrics != "" {
		c.metrics = strings.Split(metrics, ",")
	}
	if c.pkg == "" || c.rounds < 1 {
		fmt.Fprintln(os.Stderr, "benchratio: -pkg is required and -rounds must be at least 1")
		os.Exit(2)
	}
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

// result is one benchmark line: its metrics by unit.
type result map[string]float64

var lineRe = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parse reads `go test -bench` output into results by name.
func parse(r io.Reader) map[string]result {
	out := map[string]result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := lineRe.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		f := strings.Fields(m[2])
		res := result{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				res[f[i+1]] = v
			}
		}
		out[name] = res
	}
	return out
}

// ratio is one parsed -ratio flag.
type ratio struct {
	label string
	a, b  string
	rate  bool
}

func parseRatio(s string, names map[string]bool) (ratio, error) {
	var r ratio
	if rest, ok := strings.CutPrefix(s, "rate:"); ok {
		r.rate, s = true, rest
	}
	label, pair, ok := strings.Cut(s, "=")
	if !ok {
		return r, fmt.Errorf("ratio %q: want LABEL=A/B", s)
	}
	r.label = label
	for i := 0; i < len(pair); i++ {
		if pair[i] == '/' && names[pair[:i]] && names[pair[i+1:]] {
			r.a, r.b = pair[:i], pair[i+1:]
			return r, nil
		}
	}
	return r, fmt.Errorf("ratio %q: %q is not two benchmarks this run reported", label, pair)
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

func run(c config, w io.Writer) error {
	tmp, err := os.MkdirTemp("", "benchratio")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "pkg.test")
	build := exec.Command("go", "test", "-c", "-o", bin, c.pkg)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build %s: %w", c.pkg, err)
	}
	// Set-up that the benchmarks cache (seeded databases) lives for this
	// run only.
	cache := filepath.Join(tmp, "cache")
	if err := os.Mkdir(cache, 0o700); err != nil {
		return err
	}
	dir, err := pkgDir(c.pkg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# %s -bench '%s' -benchtime %s, %d rounds, %s\n", c.pkg, c.bench, c.benchtime, c.rounds,
		time.Now().UTC().Format(time.RFC3339))
	var rounds []map[string]result
	var loads []string
	for i := 0; i < c.rounds; i++ {
		load := loadavg()
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", c.bench, "-test.benchtime", c.benchtime,
			"-test.count", "1", "-test.benchmem=false")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LICDESK_BENCH_CACHE="+cache)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			os.Stderr.Write(out.Bytes())
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		res := parse(bytes.NewReader(out.Bytes()))
		if len(res) == 0 {
			os.Stderr.Write(out.Bytes())
			return errors.New("the run reported no benchmark")
		}
		rounds = append(rounds, res)
		loads = append(loads, load+" -> "+loadavg())
		fmt.Fprintf(w, "# round %d: %d benchmarks in %s, load average %s\n", i+1, len(res),
			time.Since(start).Round(time.Second), loads[i])
	}
	names := map[string]bool{}
	for n := range rounds[0] {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	fmt.Fprintf(w, "\n%-48s %14s %30s\n", "benchmark", "median ns/op", "range")
	for _, n := range sorted {
		vs := collect(rounds, func(r map[string]result) (float64, bool) { v, ok := r[n]["ns/op"]; return v, ok })
		fmt.Fprintf(w, "%-48s %14s %30s\n", n, num(median(vs)), num(minOf(vs))+" - "+num(maxOf(vs)))
		for _, m := range c.metrics {
			ms := collect(rounds, func(r map[string]result) (float64, bool) { v, ok := r[n][m]; return v, ok })
			if len(ms) > 0 {
				fmt.Fprintf(w, "%-48s %14s %30s\n", "  "+m, num(median(ms)), num(minOf(ms))+" - "+num(maxOf(ms)))
			}
		}
	}
	if len(c.ratios) > 0 {
		fmt.Fprintf(w, "\n%-48s %8s %18s  %s\n", "figure", "median", "range", "per round")
	}
	for _, s := range c.ratios {
		r, err := parseRatio(s, names)
		if err != nil {
			return err
		}
		vs := collect(rounds, func(res map[string]result) (float64, bool) {
			a, okA := res[r.a]["ns/op"]
			b, okB := res[r.b]["ns/op"]
			if !okA || !okB || a == 0 || b == 0 {
				return 0, false
			}
			if r.rate {
				return b / a, true
			}
			return a / b, true
		})
		var per []string
		for _, v := range vs {
			per = append(per, fmt.Sprintf("%.2f", v))
		}
		fmt.Fprintf(w, "%-48s %8.2f %18s  %s\n", r.label, median(vs),
			fmt.Sprintf("%.2f - %.2f", minOf(vs), maxOf(vs)), strings.Join(per, " "))
	}
	fmt.Fprintf(w, "\nload average (1, 5, 15 min) before -> after each round: %s\n", strings.Join(loads, "; "))
	return nil
}

// pkgDir is the package's folder, where its test binary must run.
func pkgDir(pkg string) (string, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w", pkg, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func collect(rounds []map[string]result, get func(map[string]result) (float64, bool)) []float64 {
	var out []float64
	for _, r := range rounds {
		if v, ok := get(r); ok {
			out = append(out, v)
		}
	}
	return out
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	m := vs[0]
	for _, v := range vs {
		m = min(m, v)
	}
	return m
}

func maxOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	m := vs[0]
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

// num prints a figure with three significant digits.
func num(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
