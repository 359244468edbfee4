package portal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
)

// chromium is Debian's browser (Makefile DEB_PACKAGES).
const chromium = "/usr/bin/chromium"

// headless starts a fresh headless Chromium (its own profile folder, no
// background traffic) that saves downloads into dir; the context drives it
// over the DevTools protocol until the test ends.
func headless(t *testing.T, dir string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is not installed (make deps installs it): %v", chromium, err)
	}
	// Chromium's helper processes may still write into its profile for a
	// moment after the browser exits: the profile is removed after it,
	// retrying, rather than by t.TempDir's one attempt (which failed the
	// test on a loaded machine).
	profile, err := os.MkdirTemp("", "licdesk-chromium-")
	require.NoError(t, err)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	require.NoError(t, chromedp.Run(ctx, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).
		WithDownloadPath(dir).WithEventsEnabled(true)))
	return ctx
}

// downloaded waits for the browser's next download to complete and
// returns the file's bytes.
func downloaded(ctx context.Context, dir string, start func() error) ([]byte, error) {
	done := make(chan string, 1)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	chromedp.ListenTarget(lctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- p.GUID:
			default:
			}
		}
	})
	if err := start(); err != nil {
		return nil, err
	}
	select {
	case guid := <-done:
		return os.ReadFile(filepath.Join(dir, guid))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestPages_OfflineActivationAndReceiptInARealBrowser(t *testing.T) {
	p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"))
	owner := p.signup("field@print.example", "Field Co")
	acct := p.accountOf(owner.Token)
	key, err := p.Store.IssueKey(context.Background(), acct, printServer(core.LicenseKey, 5))
	require.NoError(t, err)
	dl := t.TempDir()
	ctx := headless(t, dl)

	// The disconnected machine's request, as licdesk writes it (.lda).
	req, file := requestFile(t, string(key), "plant-07")
	reqPath := filepath.Join(t.TempDir(), "req.lda")
	require.NoError(t, os.WriteFile(reqPath, file, 0o644))

	var accept string
	answer, err := downloaded(ctx, dl, func() error {
		return chromedp.Run(ctx,
			chromedp.Navigate(p.URL+"/activate"),
			chromedp.AttributeValue("#request", "accept", &accept, nil),
			chromedp.SetUploadFiles("#request", []string{reqPath}),
			chromedp.SendKeys("#email", "field@print.example"),
			chromedp.SendKeys("#password", "correct horse battery"),
			chromedp.Click(`button[type=submit]`),
		)
	})
	require.NoError(t, err)
	assert.Contains(t, strings.Split(accept, ","), ".lda", "the file input offers .lda files")

	// The answer imports: it opens against this request with the keys the
	// portal publishes.
	resp, _, err := activation.OpenResponse(answer, req, p.trustedKeys())
	require.NoError(t, err, string(answer))
	assert.Equal(t, "plant-07", machineOf(t, p, owner.Token, resp.ActivationID))

	// The machine gives the activation up offline; its receipt is handed
	// in on the receipt page.
	rc, err := activation.NewReceipt(resp.ActivationID, resp.Nonce, time.Now(), resp.Secret)
	require.NoError(t, err)
	receipt, err := rc.Encode()
	require.NoError(t, err)
	rcPath := filepath.Join(t.TempDir(), "receipt.lda")
	require.NoError(t, os.WriteFile(rcPath, receipt, 0o644))
	var freed string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(p.URL+"/receipt"),
		chromedp.SetUploadFiles("#receipt", []string{rcPath}),
		chromedp.SendKeys("#email", "field@print.example"),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Click(`button[type=submit]`),
		chromedp.Text("#freed", &freed, chromedp.ByQuery),
	))
	assert.Contains(t, freed, resp.ActivationID)
	assert.Contains(t, freed, "plant-07")
	assert.Equal(t, "deactivated", activationState(t, p, owner.Token, resp.ActivationID))

	// The same receipt again: refused on the page, with the reason.
	var refused string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(p.URL+"/receipt"),
		chromedp.SetUploadFiles("#receipt", []string{rcPath}),
		chromedp.SendKeys("#email", "field@print.example"),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Click(`button[type=submit]`),
		chromedp.Text(".error", &refused, chromedp.ByQuery),
	))
	assert.Contains(t, refused, "Not freed")
}

// activationOf finds an activation among the owner's keys.
func activationOf(t *testing.T, p *testPortal, token, id string) api.Activation {
	t.Helper()
	var kl api.KeyList
	p.do("GET", "/v1/keys", token, nil).decode(t, &kl)
	for _, k := range kl.Keys {
		for _, a := range k.Activations {
			if a.ID == id {
				return a
			}
		}
	}
	t.Fatalf("no activation %s", id)
	return api.Activation{}
}

func machineOf(t *testing.T, p *testPortal, token, id string) string {
	return activationOf(t, p, token, id).Machine
}

func activationState(t *testing.T, p *testPortal, token, id string) string {
	return activationOf(t, p, token, id).State
}

// A browser set to Brazilian Portuguese gets the receipt page in it, and
// its refusal too.
func TestPages_InTheBrowsersLanguage(t *testing.T) {
	p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"))
	ctx := headless(t, t.TempDir(), chromedp.Flag("accept-lang", "pt-BR"), chromedp.Flag("lang", "pt-BR"))
	var lang, heading, refused string
	var ok bool
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(p.URL+"/receipt"),
		chromedp.AttributeValue("html", "lang", &lang, &ok, chromedp.ByQuery),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
		chromedp.Click(`button[type=submit]`),
		chromedp.Text(".error", &refused, chromedp.ByQuery),
	))
	assert.Equal(t, "pt-BR", lang)
	assert.Equal(t, "Entregar um comprovante de desativação", heading)
	assert.Contains(t, refused, "Não liberada:")
}
