package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/internal/quietinit"
	"github.com/licdesk/licdesk/machine/machinetest"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// envBeLicdesk makes the test binary act as the licdesk binary: the crash
// test runs it as a subprocess to kill it. It is the same run() that main
// calls, and it spares the test a second build of the module (a cold build
// of the SQLite driver alone takes minutes on a CI machine).
const envBeLicdesk = "LICDESK_TEST_BE_LICDESK"

// envCheckpoint names the checkpoint (counted from 1 over the whole run)
// at which the crash test's licdesk announces itself on stderr and stops,
// waiting to be killed. Only this test binary reads it: the shipped
// licdesk has no such hook.
const envCheckpoint = "LICDESK_TEST_CHECKPOINT"

// checkpointHook is the sync's checkpoint callback that stops at the n-th
// checkpoint; nil when n is not given.
func checkpointHook(n string) func(string) {
	stopAt, _ := strconv.Atoi(n)
	if stopAt == 0 {
		return nil
	}
	reached := 0
	return func(name string) {
		reached++
		if reached == stopAt {
			fmt.Fprintf(os.Stderr, "licdesk: stopped at checkpoint %d (%s)\n", reached, name)
			time.Sleep(time.Hour)
		}
	}
}

func TestMain(m *testing.M) {
	quietinit.Restore() // as main does
	if os.Getenv(envBeLicdesk) == "1" {
		env := cli.OSEnv()
		env.Checkpoint = checkpointHook(os.Getenv(envCheckpoint))
		os.Exit(run(context.Background(), os.Args[1:], env, openWindow))
	}
	machinetest.Main(m) // licdesk children inherit its state folder
}

func TestRun_VersionAndUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"version prints the version", []string{"--version"}, 0, "licdesk", ""},
		{"help lists the subcommands", []string{"--help"}, 0, "licdesk seats", ""},
		{"no argument opens the window", nil, 0, "window", ""},
		{"--demo opens the demo window", []string{"--demo"}, 0, "demo window", ""},
		{"an unknown command is one line", []string{"frobnicate"}, 2, "", "unknown command \"frobnicate\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
			win := func(_ context.Context, demo bool, env cli.Env) int {
				fmt.Fprintln(env.Stdout, map[bool]string{false: "window", true: "demo window"}[demo])
				return 0
			}
			assert.Equal(t, tt.code, run(context.Background(), tt.args, env, win))
			assert.Contains(t, out.String(), tt.out)
			assert.Contains(t, errb.String(), tt.err)
		})
	}
}

// licdeskProc is one licdesk process of the crash test.
type licdeskProc struct {
	cmd     *exec.Cmd
	stopped chan string // the checkpoint line, once the process stops at one
	exited  chan error
}

// crashRig runs licdesk processes against one profile and one portal.
type crashRig struct {
	t    *testing.T
	home string
	bin  string
}

func (r *crashRig) env(checkpoint int) []string {
	env := append(os.Environ(), envBeLicdesk+"=1", "LICDESK_HOME="+r.home, "LICDESK_SECRETS=file")
	if checkpoint > 0 {
		env = append(env, envCheckpoint+"="+strconv.Itoa(checkpoint))
	}
	return env
}

func (r *crashRig) start(checkpoint int, stdin string, args ...string) *licdeskProc {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.env(checkpoint)
	cmd.Stdin = strings.NewReader(stdin)
	stderr, err := cmd.StderrPipe()
	require.NoError(r.t, err)
	require.NoError(r.t, cmd.Start())
	p := &licdeskProc{cmd: cmd, stopped: make(chan string, 1), exited: make(chan error, 1)}
	// The reader ends at EOF, when the process is gone; Wait follows it.
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "stopped at checkpoint") {
				p.stopped <- sc.Text()
			}
		}
		p.exited <- cmd.Wait()
	}()
	return p
}

// runToEnd runs licdesk without a kill and returns its output.
func (r *crashRig) runToEnd(args ...string) (string, error) {
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.env(0)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// killAt lets the process reach its checkpoint (or run for delay when
// checkpoint is 0) and kills it with SIGKILL. It returns the checkpoint's
// name, "" when the process ended before.
func (p *licdeskProc) killAt(t *testing.T, checkpoint int, delay time.Duration) string {
	t.Helper()
	var stop <-chan time.Time
	if checkpoint == 0 {
		stop = time.After(delay)
	} else {
		stop = time.After(30 * time.Second)
	}
	select {
	case line := <-p.stopped:
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		name := line[strings.LastIndex(line, "(")+1 : len(line)-1]
		return name
	case <-stop:
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		if checkpoint != 0 {
			t.Fatalf("licdesk did not reach checkpoint %d in 30 s", checkpoint)
		}
		return "random"
	case <-p.exited:
		return ""
	}
}

// TestCrashSafety_KilledClientLosesNoAcknowledgedWriteAndAppliesNoneTwice
// kills licdesk with SIGKILL at many points of its writes and syncs: at
// numbered checkpoints (inside and around every transaction, before and
// after every request) and after random delays. After each kill the next
// command goes on from what the dead one left. In the end the cache file
// is sound, every write acknowledged before the kill reached the portal
// exactly once, and the cache equals the portal.
func TestCrashSafety_KilledClientLosesNoAcknowledgedWriteAndAppliesNoneTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("kills dozens of processes")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LICDESK_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LICDESK_CRASH_SEED replays it)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Now()

	ctx := context.Background()
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@crash.example", "Crash")
	lic := p.Issue(acct, "Eberick", 200)
	// Enough licenses that a first pull takes several pages.
	require.NoError(t, p.Store.BulkLoad(ctx, acct, 1200, 2, 1, time.Now()))

	bin, err := os.Executable()
	require.NoError(t, err)
	r := &crashRig{t: t, home: t.TempDir(), bin: bin}

	// The first sync (inside login) is killed in the middle of its pages a
	// few times; each following sync resumes from the last committed page.
	kills := 0
	where := map[string]int{}
	for i := 0; i < 6; i++ {
		k := 1 + rng.IntN(6)
		pr := r.start(k, portaltest.Password+"\n", "login", "--portal", p.URL, "--email", "owner@crash.example", "--password-stdin")
		if at := pr.killAt(t, k, 0); at != "" {
			kills++
			where["login "+at]++
		}
	}

	type write struct {
		email     string
		committed string // "yes", "no", or "maybe" (random kill)
	}
	var writes []write
	for i := 0; kills < 60; i++ {
		switch {
		case i%7 == 6:
			// A sync alone, killed while it pushes what earlier kills left
			// and pulls.
			k := 1 + rng.IntN(8)
			if at := r.start(k, "", "sync").killAt(t, k, 0); at != "" {
				kills++
				where["sync "+at]++
			}
		default:
			email := fmt.Sprintf("user%03d@crash.example", i)
			w := write{email: email}
			if rng.IntN(4) == 0 {
				// A random moment, not a checkpoint: inside SQLite, inside
				// the HTTP exchange, anywhere.
				d := time.Duration(rng.IntN(60)) * time.Millisecond
				at := r.start(0, "", "seats", "assign", "--license", lic, "--email", email).killAt(t, 0, d)
				w.committed = "maybe"
				if at == "" {
					w.committed = "yes" // it finished
				} else {
					kills++
					where["assign "+at]++
				}
			} else {
				k := 1 + rng.IntN(9)
				at := r.start(k, "", "seats", "assign", "--license", lic, "--email", email).killAt(t, k, 0)
				if at != "" {
					where["assign "+at]++
				}
				switch at {
				case "":
					w.committed = "yes"
				case "submit.before-commit":
					w.committed = "no"
					kills++
				default:
					w.committed = "yes"
					kills++
				}
			}
			writes = append(writes, w)
		}
	}
	t.Logf("%d kills over %d writes in %s; where: %v", kills, len(writes), time.Since(start).Round(time.Millisecond), where)

	out, err := r.runToEnd("sync")
	require.NoError(t, err, out)
	out, err = r.runToEnd("sync")
	require.NoError(t, err, out)

	cache, err := lsync.OpenCache(ctx, filepath.Join(r.home, "cache.db"))
	require.NoError(t, err)
	defer cache.Close()
	verdict, err := cache.IntegrityCheck(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", verdict)
	entries, err := cache.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing waits, nothing was refused (a write applied twice would be refused as a duplicate)")

	// The portal's view.
	sess, _ := loginOnPortal(t, p, "owner@crash.example")
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL, Token: sess})
	require.NoError(t, err)
	var onPortal api.Solution
	require.NoError(t, cl.Do(ctx, lsync.Request{Method: "GET", Path: "/v1/licenses/" + lic}, &onPortal))
	evs, err := cl.Audit(ctx, lic)
	require.NoError(t, err)
	assigns := map[string]int{}
	for _, e := range evs {
		if e.Action == "seat.assign" {
			for _, w := range writes {
				if strings.Contains(e.After, w.email) {
					assigns[w.email]++
				}
			}
		}
	}
	held := map[string]bool{}
	for _, s := range onPortal.Seats {
		held[s.Email] = true
	}
	for _, w := range writes {
		switch w.committed {
		case "yes":
			assert.True(t, held[w.email], "acknowledged write for %s reached the portal", w.email)
			assert.Equal(t, 1, assigns[w.email], "applied once: %s", w.email)
		case "no":
			assert.False(t, held[w.email], "a write killed before its commit was never acknowledged: %s", w.email)
		default:
			assert.LessOrEqual(t, assigns[w.email], 1, "applied at most once: %s", w.email)
			assert.Equal(t, held[w.email], assigns[w.email] == 1)
		}
	}
	var cached api.Solution
	found, err := cache.Get(ctx, api.KindSolution, lic, &cached)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, onPortal, cached, "the cache holds the portal's version")
	n, err := cache.Count(ctx, api.KindSolution)
	require.NoError(t, err)
	assert.Equal(t, 1201, n, "every license of the paged first sync")
	t.Logf("kill points: %d; total %s", kills, time.Since(start).Round(time.Millisecond))
	assert.GreaterOrEqual(t, kills, 50)
}

// loginOnPortal logs a user in over the API and returns the token.
func loginOnPortal(t *testing.T, p *portaltest.Portal, email string) (string, api.User) {
	t.Helper()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL})
	require.NoError(t, err)
	s, err := cl.Login(context.Background(), email, portaltest.Password)
	require.NoError(t, err)
	return s.Token, s.User
}

// TestCommandLine_PrintsNoLibraryNoiseWhateverTheLocale runs this test
// binary as licdesk under Debian's default C.UTF-8 locale, which Fyne
// complains about while it initialises: the command line must print only
// its own output.
func TestCommandLine_PrintsNoLibraryNoiseWhateverTheLocale(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"--help"}, {"status"}} {
		for _, lang := range []string{"C.UTF-8", "C", "POSIX", "en_US.UTF-8"} {
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), envBeLicdesk+"=1", "LANG="+lang, "LC_ALL=", "LC_MESSAGES=",
				"LICDESK_HOME="+t.TempDir(), "LICDESK_SECRETS=file")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Run()
			assert.NotContains(t, stderr.String(), "Fyne", "licdesk %v with LANG=%s", args, lang)
			assert.LessOrEqual(t, strings.Count(stderr.String(), "\n"), 1, "at most one line: %q", stderr.String())
		}
	}
}
