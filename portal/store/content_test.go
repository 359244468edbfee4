package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/blobs"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// clock is a movable store clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// contentFixture is a store with Acme (Ana owner, Adam admin, Mia member,
// Eberick listed and one seat held by Carla from outside the account) and
// a stranger, Eve, on one backend.
type contentFixture struct {
	t                     *testing.T
	ctx                   context.Context
	s                     *store.Store
	clock                 *clock
	files                 blobs.Dir
	acme                  string // Ana's account
	license               string // Acme's Eberick
	ana, adam, mia, carla string // user IDs
	eve                   string
	carlaAcct             string
}

func eachContentBackend(t *testing.T, fn func(t *testing.T, f *contentFixture)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
			s, err := store.Open(ctx, b.DSN, store.WithClock(clk.now), store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			f := &contentFixture{t: t, ctx: ctx, s: s, clock: clk, files: blobs.Dir{Path: t.TempDir()}}
			f.setUp()
			fn(t, f)
		})
	}
}

func (f *contentFixture) user(email, name string) (id, acct string) {
	f.t.Helper()
	u, err := f.s.CreateUser(f.ctx, core.Email(email), name, name, "x")
	require.NoError(f.t, err)
	require.NoError(f.t, f.s.MarkVerified(f.ctx, core.Email(email)))
	acct, err = f.s.OwnedAccount(f.ctx, u.ID)
	require.NoError(f.t, err)
	return u.ID, acct
}

// c loads a user's caller afresh (memberships change during a test).
func (f *contentFixture) c(userID string) store.Caller {
	f.t.Helper()
	c, err := f.s.Caller(f.ctx, userID)
	require.NoError(f.t, err)
	return c
}

func (f *contentFixture) setUp() {
	f.ana, f.acme = f.user("ana@acme.example", "Ana")
	f.adam, _ = f.user("adam@acme.example", "Adam")
	f.mia, _ = f.user("mia@acme.example", "Mia")
	f.carla, f.carlaAcct = f.user("carla@outside.example", "Carla")
	f.eve, _ = f.user("eve@evil.example", "Eve")
	now := f.clock.now()
	var err error
	f.license, err = f.s.IssueLicense(f.ctx, f.acme, store.LicenseSpec{Product: "Eberick", Edition: core.EditionProfessional,
		Modules: []string{"Concrete"}, Seats: 3, Start: now.AddDate(0, -1, 0), Expiry: now.AddDate(1, 0, 0)})
	require.NoError(f.t, err)
	ana := f.c(f.ana)
	for who, role := range map[string]string{f.adam: "admin", f.mia: "member"} {
		c := f.c(who)
		_, err = f.s.AddMember(f.ctx, ana, store.Write{}, f.acme, string(c.Email), role)
		require.NoError(f.t, err)
		_, err = f.s.AcceptOffer(f.ctx, c, store.Write{}, f.acme)
		require.NoError(f.t, err)
	}
	_, err = f.s.RegisterProduct(f.ctx, ana, store.Write{}, f.acme, "", "Eberick")
	require.NoError(f.t, err)
	_, err = f.s.AssignSeat(f.ctx, ana, store.Write{}, f.license, "carla@outside.example")
	require.NoError(f.t, err)
}

// content makes size deterministic bytes.
func content(seed string, size int) []byte {
	out := make([]byte, 0, size+32)
	for i := 0; len(out) < size; i++ {
		sum := sha256.Sum256([]byte(seed + string(rune(i))))
		out = append(out, sum[:]...)
	}
	return out[:size]
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (f *contentFixture) publish(product, name, version string, released time.Time, b []byte) api.DownloadFile {
	f.t.Helper()
	v, err := f.s.PublishFile(f.ctx, f.files, store.FileSpec{Product: product, Name: name, Version: version,
		ReleasedAt: released, Size: int64(len(b)), SHA256: digest(b)}, bytes.NewReader(b))
	require.NoError(f.t, err)
	return v
}

func versions(fs []api.DownloadFile) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Product+" "+f.Version)
	}
	return out
}

func TestDownloads_ListTheFilesOfTheCallersProductsWithTheNewerVersionFlag(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		now := f.clock.now()
		old := f.publish("Eberick", "Eberick-2025.1-setup.exe", "2025.1", now.AddDate(-1, 0, 0), content("old", 1000))
		qi := f.publish("QiBuilder", "QiBuilder-1.0.exe", "1.0", now, content("qi", 500))
		assert.False(t, old.NewerVersion)
		assert.Equal(t, "2025.1", old.LatestVersion)

		got, err := f.s.Downloads(f.ctx, f.c(f.ana), "")
		require.NoError(t, err)
		assert.Equal(t, []string{"Eberick 2025.1"}, versions(got), "QiBuilder is not Acme's")

		f.publish("Eberick", "Eberick-2026.1-setup.exe", "2026.1", now.AddDate(0, -1, 0), content("new", 1200))
		for _, who := range []string{f.ana, f.adam, f.mia, f.carla} {
			got, err := f.s.Downloads(f.ctx, f.c(who), "")
			require.NoError(t, err)
			require.Equal(t, []string{"Eberick 2026.1", "Eberick 2025.1"}, versions(got), "members and seat holders see it, newest first")
			assert.False(t, got[0].NewerVersion)
			assert.True(t, got[1].NewerVersion, "2025.1 has a newer version now")
			assert.Equal(t, "2026.1", got[1].LatestVersion)
			assert.Equal(t, int64(1000), got[1].Size)
			assert.Equal(t, digest(content("old", 1000)), got[1].SHA256)
		}
		none, err := f.s.Downloads(f.ctx, f.c(f.eve), "")
		require.NoError(t, err)
		assert.Empty(t, none)

		_, err = f.s.DownloadBlob(f.ctx, f.c(f.eve), old.ID)
		assert.Equal(t, core.CodeDownloadNotFound, core.CodeOf(err), "a stranger cannot fetch another account's product")
		_, err = f.s.DownloadBlob(f.ctx, f.c(f.ana), qi.ID)
		assert.Equal(t, core.CodeDownloadNotFound, core.CodeOf(err), "nor a product that is not theirs")
		_, err = f.s.DownloadBlob(f.ctx, f.c(f.ana), "fil_nope")
		assert.Equal(t, core.CodeDownloadNotFound, core.CodeOf(err))
		blob, err := f.s.DownloadBlob(f.ctx, f.c(f.carla), old.ID)
		require.NoError(t, err)
		assert.True(t, blob.File.NewerVersion)
	})
}

func TestPublishFile_RefusesBytesThatDoNotMatchTheDeclarationAndStoresNothing(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		good := content("good", 2048)
		f.publish("Eberick", "Eberick-2025.1-setup.exe", "2025.1", time.Time{}, good)
		other := content("other", 2048)
		cases := []struct {
			name string
			spec store.FileSpec
			body []byte
			code string
		}{
			{"size differs from the bytes", store.FileSpec{Product: "Eberick", Name: "a.exe", Version: "1", Size: 2047, SHA256: digest(other)}, other, core.CodeDownloadSize},
			{"digest differs from the bytes", store.FileSpec{Product: "Eberick", Name: "a.exe", Version: "1", Size: 2048, SHA256: digest(good)}, other, core.CodeDownloadDigest},
			{"a path for a name", store.FileSpec{Product: "Eberick", Name: "../a.exe", Version: "1", Size: 2048, SHA256: digest(other)}, other, core.CodeDownloadName},
			{"a version that is not numbers", store.FileSpec{Product: "Eberick", Name: "a.exe", Version: "next", Size: 2048, SHA256: digest(other)}, other, core.CodeVersionFormat},
			{"the same name twice", store.FileSpec{Product: "Eberick", Name: "Eberick-2025.1-setup.exe", Version: "2025.2", Size: 2048, SHA256: digest(other)}, other, core.CodeDownloadExists},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.s.PublishFile(f.ctx, f.files, c.spec, bytes.NewReader(c.body))
				assert.Equal(t, c.code, core.CodeOf(err), "%v", err)
			})
		}
		got, err := f.s.Downloads(f.ctx, f.c(f.ana), "")
		require.NoError(t, err)
		assert.Len(t, got, 1)
		var stored []string
		filepath.WalkDir(filepath.Join(f.files.Path, "sha256"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				stored = append(stored, d.Name())
			}
			return nil
		})
		assert.Equal(t, []string{digest(good)}, stored, "refused bytes are not kept")
		r, err := f.files.Open(digest(good))
		require.NoError(t, err)
		r.Close()
	})
}

func TestRecordDownload_ListsTheProductAndFillsTheTwoYearHistory(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		now := f.clock.now()
		old := f.publish("Eberick", "Eberick-2025.1-setup.exe", "2025.1", now.AddDate(-1, 0, 0), content("old", 100))

		// Carla holds a seat of Acme's Eberick but her own account lists
		// nothing: her download lists Eberick there.
		require.NoError(t, f.s.RecordDownload(f.ctx, f.c(f.carla), old.ID))
		ps, err := f.s.Products(f.ctx, f.c(f.carla))
		require.NoError(t, err)
		require.Len(t, ps, 1)
		assert.Equal(t, f.carlaAcct, ps[0].AccountID)
		assert.Equal(t, "Eberick", ps[0].Product)
		assert.Equal(t, core.SourceDownload.String(), ps[0].Source)

		h, err := f.s.DownloadHistory(f.ctx, f.c(f.carla))
		require.NoError(t, err)
		require.Len(t, h, 1)
		assert.Equal(t, api.DownloadRecord{FileID: old.ID, Product: "Eberick", FileName: "Eberick-2025.1-setup.exe",
			FileDate: old.ReleasedAt, DownloadedAt: now, Version: "2025.1", LatestVersion: "2025.1"}, h[0])

		f.publish("Eberick", "Eberick-2026.1-setup.exe", "2026.1", now, content("new", 100))
		f.clock.add(time.Hour)
		require.NoError(t, f.s.RecordDownload(f.ctx, f.c(f.carla), old.ID))
		h, err = f.s.DownloadHistory(f.ctx, f.c(f.carla))
		require.NoError(t, err)
		require.Len(t, h, 1, "one line per file")
		assert.Equal(t, now.Add(time.Hour), h[0].DownloadedAt, "with the last download's date")
		assert.True(t, h[0].NewerVersion)
		assert.Equal(t, "2026.1", h[0].LatestVersion)

		others, err := f.s.DownloadHistory(f.ctx, f.c(f.ana))
		require.NoError(t, err)
		assert.Empty(t, others, "the history is the caller's own")

		f.clock.add((2*365 + 3) * 24 * time.Hour)
		h, err = f.s.DownloadHistory(f.ctx, f.c(f.carla))
		require.NoError(t, err)
		assert.Empty(t, h, "older than two years")

		err = f.s.RecordDownload(f.ctx, f.c(f.eve), old.ID)
		assert.Equal(t, core.CodeDownloadNotFound, core.CodeOf(err))
		eps, err := f.s.Products(f.ctx, f.c(f.eve))
		require.NoError(t, err)
		assert.Empty(t, eps, "a refused download lists nothing")
	})
}

func states(rs []api.ServiceRequest) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID+" "+r.State)
	}
	return out
}

func TestServiceRequests_AreFollowedToClosedWithCommentsByWhoMaySeeThem(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		f.publish("QiBuilder", "QiBuilder-1.0.exe", "1.0", time.Time{}, content("qi", 10))
		mia := f.c(f.mia)
		r, err := f.s.CreateServiceRequest(f.ctx, mia, store.Write{}, api.NewServiceRequest{AccountID: f.acme,
			Product: " QiBuilder ", Title: " Activation fails ", Description: "It says the key is wrong.\nTwice."})
		require.NoError(t, err)
		assert.Regexp(t, `^SR-\d{6}$`, r.ID)
		assert.Equal(t, api.ServiceRequest{ID: r.ID, AccountID: f.acme, Product: "QiBuilder", Title: "Activation fails",
			Description: "It says the key is wrong.\nTwice.", State: "open", RequesterEmail: "mia@acme.example", RequesterName: "Mia",
			CreatedAt: f.clock.now(), UpdatedAt: f.clock.now()}, r)

		// The request lists QiBuilder under Acme.
		ps, err := f.s.Products(f.ctx, f.c(f.ana))
		require.NoError(t, err)
		sources := map[string]string{}
		for _, p := range ps {
			sources[p.Product] = p.Source
		}
		assert.Equal(t, core.SourceServiceRequest.String(), sources["QiBuilder"])

		anaReq, err := f.s.CreateServiceRequest(f.ctx, f.c(f.ana), store.Write{}, api.NewServiceRequest{
			Product: "Eberick", Title: "Export crash", Description: "DWG export closes the program."})
		require.NoError(t, err)
		assert.Equal(t, f.acme, anaReq.AccountID, "the caller's own account by default")

		// Who sees what: the requester, and the account's owner and admins.
		for _, c := range []struct {
			who  string
			want []string
		}{
			{f.ana, []string{anaReq.ID + " open", r.ID + " open"}},
			{f.adam, []string{anaReq.ID + " open", r.ID + " open"}},
			{f.mia, []string{r.ID + " open"}},
			{f.carla, []string{}},
			{f.eve, []string{}},
		} {
			got, err := f.s.ServiceRequests(f.ctx, f.c(c.who), nil)
			require.NoError(t, err)
			assert.Equal(t, c.want, states(got))
		}
		_, err = f.s.ServiceRequest(f.ctx, f.c(f.mia), anaReq.ID)
		assert.Equal(t, core.CodeRequestNotFound, core.CodeOf(err), "a plain member does not see the owner's request")
		_, err = f.s.CommentServiceRequest(f.ctx, f.c(f.eve), store.Write{}, r.ID, "hello")
		assert.Equal(t, core.CodeRequestNotFound, core.CodeOf(err))

		// Support asks, the requester answers: back in progress.
		f.clock.add(time.Minute)
		got, err := f.s.UpdateServiceRequest(f.ctx, r.ID, store.SupportUpdate{State: core.RequestWaiting, Comment: "Send us the key, please."})
		require.NoError(t, err)
		assert.Equal(t, "waiting", got.State)
		assert.Equal(t, f.clock.now(), got.UpdatedAt)
		f.clock.add(time.Minute)
		got, err = f.s.CommentServiceRequest(f.ctx, mia, store.Write{}, r.ID, " LIC-1234 ")
		require.NoError(t, err)
		assert.Equal(t, "in_progress", got.State)
		_, err = f.s.CommentServiceRequest(f.ctx, f.c(f.adam), store.Write{}, r.ID, "Admin here: urgent.")
		require.NoError(t, err)

		// Only the requester closes.
		_, err = f.s.CloseServiceRequest(f.ctx, f.c(f.ana), store.Write{}, r.ID)
		assert.Equal(t, core.CodeRequestCloser, core.CodeOf(err))
		f.clock.add(time.Minute)
		closed, err := f.s.CloseServiceRequest(f.ctx, mia, store.Write{}, r.ID)
		require.NoError(t, err)
		assert.Equal(t, "closed", closed.State)
		_, err = f.s.CommentServiceRequest(f.ctx, mia, store.Write{}, r.ID, "one more thing")
		assert.Equal(t, core.CodeRequestClosed, core.CodeOf(err))
		_, err = f.s.CloseServiceRequest(f.ctx, mia, store.Write{}, r.ID)
		assert.Equal(t, core.CodeRequestClosed, core.CodeOf(err))

		full, err := f.s.ServiceRequest(f.ctx, f.c(f.ana), r.ID)
		require.NoError(t, err)
		assert.Equal(t, 3, full.CommentCount)
		require.Len(t, full.Comments, 3)
		assert.Equal(t, api.RequestComment{AuthorName: store.SupportName, At: f.clock.now().Add(-2 * time.Minute), Body: "Send us the key, please."}, full.Comments[0])
		assert.Equal(t, api.RequestComment{AuthorEmail: "mia@acme.example", AuthorName: "Mia", At: f.clock.now().Add(-time.Minute), Body: "LIC-1234"}, full.Comments[1])
		assert.Equal(t, "adam@acme.example", full.Comments[2].AuthorEmail)
		assert.Equal(t, f.clock.now(), full.UpdatedAt)

		open, err := f.s.ServiceRequests(f.ctx, f.c(f.ana), []core.RequestState{core.RequestOpen, core.RequestInProgress, core.RequestWaiting})
		require.NoError(t, err)
		assert.Equal(t, []string{anaReq.ID + " open"}, states(open), "the open requests")

		// Support may reopen, and a closing note comes before the close.
		re, err := f.s.UpdateServiceRequest(f.ctx, r.ID, store.SupportUpdate{State: core.RequestOpen, Comment: "Reopened: the fix regressed."})
		require.NoError(t, err)
		assert.Equal(t, "open", re.State)
		fin, err := f.s.UpdateServiceRequest(f.ctx, r.ID, store.SupportUpdate{State: core.RequestClosed, Comment: "Fixed in 1.1."})
		require.NoError(t, err)
		assert.Equal(t, "closed", fin.State)
		assert.Equal(t, 5, fin.CommentCount)
		_, err = f.s.UpdateServiceRequest(f.ctx, r.ID, store.SupportUpdate{State: core.RequestClosed})
		assert.Equal(t, core.CodeRequestClosed, core.CodeOf(err))
		_, err = f.s.UpdateServiceRequest(f.ctx, r.ID, store.SupportUpdate{})
		assert.Equal(t, core.CodeRequestText, core.CodeOf(err))
	})
}

func TestServiceRequests_BadInputIsRefusedAndChangesNothing(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		long := string(bytes.Repeat([]byte("t"), core.MaxRequestTitle+1))
		cases := []struct {
			name string
			who  string
			req  api.NewServiceRequest
			code string
		}{
			{"empty title", f.ana, api.NewServiceRequest{Product: "Eberick", Title: " ", Description: "d"}, core.CodeRequestTitle},
			{"title over 200", f.ana, api.NewServiceRequest{Product: "Eberick", Title: long, Description: "d"}, core.CodeRequestTitle},
			{"empty description", f.ana, api.NewServiceRequest{Product: "Eberick", Title: "t", Description: ""}, core.CodeRequestText},
			{"no product", f.ana, api.NewServiceRequest{Title: "t", Description: "d"}, core.CodeProductMissing},
			{"a product the vendor does not have", f.ana, api.NewServiceRequest{Product: "Nothing", Title: "t", Description: "d"}, core.CodeProductUnknown},
			{"another account", f.eve, api.NewServiceRequest{AccountID: f.acme, Product: "Eberick", Title: "t", Description: "d"}, "not_found"},
			{"an account that does not exist", f.ana, api.NewServiceRequest{AccountID: "acc_nope", Product: "Eberick", Title: "t", Description: "d"}, "not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.s.CreateServiceRequest(f.ctx, f.c(c.who), store.Write{}, c.req)
				assert.Equal(t, c.code, core.CodeOf(err), "%v", err)
			})
		}
		for _, who := range []string{f.ana, f.eve} {
			got, err := f.s.ServiceRequests(f.ctx, f.c(who), nil)
			require.NoError(t, err)
			assert.Empty(t, got)
		}
		_, err := f.s.ServiceRequest(f.ctx, f.c(f.ana), "SR-12x")
		assert.Equal(t, core.CodeRequestID, core.CodeOf(err))
		_, err = f.s.ServiceRequest(f.ctx, f.c(f.ana), "SR-000042")
		assert.Equal(t, core.CodeRequestNotFound, core.CodeOf(err))
		_, err = f.s.CloseServiceRequest(f.ctx, f.c(f.ana), store.Write{}, "SR-000042")
		assert.Equal(t, core.CodeRequestNotFound, core.CodeOf(err))
	})
}

func TestServiceRequests_AReplayedIdempotencyKeyOpensOneRequest(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		req := api.NewServiceRequest{Product: "Eberick", Title: "Once", Description: "only once"}
		w := store.Write{Key: "k-1", Op: "support.open", RequestHash: "h"}
		first, err := f.s.CreateServiceRequest(f.ctx, f.c(f.ana), w, req)
		require.NoError(t, err)
		again, err := f.s.CreateServiceRequest(f.ctx, f.c(f.ana), w, req)
		require.NoError(t, err)
		assert.Equal(t, first, again)
		got, err := f.s.ServiceRequests(f.ctx, f.c(f.ana), nil)
		require.NoError(t, err)
		assert.Len(t, got, 1)
	})
}

func newFlags(pn api.ProductNews) []string {
	out := []string{}
	for _, it := range pn.Items {
		flag := ""
		if it.New {
			flag = " (new)"
		}
		out = append(out, it.Title+flag)
	}
	return out
}

func TestNews_IsNewSinceTheLastVisitUntilMarkedRead(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		now := f.clock.now()
		pub := func(title string, sev core.Severity, at time.Time) {
			_, err := f.s.PublishNews(f.ctx, store.NewsSpec{Product: "Eberick", Title: title, Body: title + " body", Severity: sev, PublishedAt: at})
			require.NoError(t, err)
		}
		pub("Release", core.SeverityInfo, now.AddDate(0, -1, 0))
		pub("Maintenance", core.SeverityWarning, time.Time{})

		news, err := f.s.News(f.ctx, f.c(f.ana), "")
		require.NoError(t, err)
		require.Len(t, news, 1)
		assert.Equal(t, []string{"Maintenance (new)", "Release (new)"}, newFlags(news[0]), "newest first, all new before a first visit")
		assert.Equal(t, 2, news[0].NewCount)
		assert.Nil(t, news[0].LastVisit)
		assert.Equal(t, "warning", news[0].Items[0].Severity)

		f.clock.add(time.Minute)
		read, err := f.s.MarkNewsRead(f.ctx, f.c(f.ana), store.Write{}, "Eberick")
		require.NoError(t, err)
		assert.Equal(t, []string{"Maintenance", "Release"}, newFlags(read))
		assert.Zero(t, read.NewCount)
		require.NotNil(t, read.LastVisit)
		assert.Equal(t, f.clock.now(), *read.LastVisit)

		// An item published after the visit is new even when dated before
		// it: "new" follows publication order, not the date shown.
		pub("Critical fix", core.SeverityCritical, now.AddDate(0, 0, -3))
		news, err = f.s.News(f.ctx, f.c(f.ana), "Eberick")
		require.NoError(t, err)
		assert.Equal(t, []string{"Critical fix (new)", "Maintenance", "Release"}, newFlags(news[0]))
		assert.Equal(t, 1, news[0].NewCount)

		// Each user has their own visits: Carla, holding a seat, still
		// sees everything new.
		carla, err := f.s.News(f.ctx, f.c(f.carla), "")
		require.NoError(t, err)
		require.Len(t, carla, 1)
		assert.Equal(t, 3, carla[0].NewCount)

		eve, err := f.s.News(f.ctx, f.c(f.eve), "")
		require.NoError(t, err)
		assert.Empty(t, eve)
		_, err = f.s.MarkNewsRead(f.ctx, f.c(f.eve), store.Write{}, "Eberick")
		assert.Equal(t, core.CodeProductNotListed, core.CodeOf(err))
		_, err = f.s.SetNewsSubscription(f.ctx, f.c(f.eve), store.Write{}, "Eberick", true)
		assert.Equal(t, core.CodeProductNotListed, core.CodeOf(err))
	})
}

func TestPublishNews_ReturnsTheSubscribersWhoStillSeeTheProduct(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		for _, who := range []string{f.ana, f.carla} {
			pn, err := f.s.SetNewsSubscription(f.ctx, f.c(who), store.Write{}, "Eberick", true)
			require.NoError(t, err)
			assert.True(t, pn.Subscribed)
		}
		pub, err := f.s.PublishNews(f.ctx, store.NewsSpec{Product: "Eberick", Title: "One", Body: "b", Severity: core.SeverityInfo})
		require.NoError(t, err)
		assert.Equal(t, []store.Subscriber{{Email: "ana@acme.example", Name: "Ana"}, {Email: "carla@outside.example", Name: "Carla"}}, pub.Subscribers)

		// Carla loses her seat: no more e-mails, though she subscribed.
		_, err = f.s.RemoveSeat(f.ctx, f.c(f.ana), store.Write{}, f.license, "carla@outside.example")
		require.NoError(t, err)
		pub, err = f.s.PublishNews(f.ctx, store.NewsSpec{Product: "Eberick", Title: "Two", Body: "b", Severity: core.SeverityInfo})
		require.NoError(t, err)
		assert.Equal(t, []store.Subscriber{{Email: "ana@acme.example", Name: "Ana"}}, pub.Subscribers)

		off, err := f.s.SetNewsSubscription(f.ctx, f.c(f.ana), store.Write{}, "Eberick", false)
		require.NoError(t, err)
		assert.False(t, off.Subscribed)
		pub, err = f.s.PublishNews(f.ctx, store.NewsSpec{Product: "Eberick", Title: "Three", Body: "b", Severity: core.SeverityCritical})
		require.NoError(t, err)
		assert.Empty(t, pub.Subscribers)

		bad := []struct {
			name string
			spec store.NewsSpec
			code string
		}{
			{"no severity", store.NewsSpec{Product: "Eberick", Title: "t", Body: "b"}, core.CodeNewsSeverity},
			{"empty title", store.NewsSpec{Product: "Eberick", Title: "", Body: "b", Severity: core.SeverityInfo}, core.CodeNewsTitle},
			{"empty body", store.NewsSpec{Product: "Eberick", Title: "t", Body: " ", Severity: core.SeverityInfo}, core.CodeNewsBody},
			{"no product", store.NewsSpec{Title: "t", Body: "b", Severity: core.SeverityInfo}, core.CodeProductMissing},
		}
		for _, c := range bad {
			_, err := f.s.PublishNews(f.ctx, c.spec)
			assert.Equal(t, c.code, core.CodeOf(err), c.name)
		}
		items, known, err := f.s.PublicNews(f.ctx, "Eberick", 2)
		require.NoError(t, err)
		assert.True(t, known)
		require.Len(t, items, 2, "limited")
		assert.Equal(t, "Three", items[0].Title)
		_, known, err = f.s.PublicNews(f.ctx, "Nothing", 10)
		require.NoError(t, err)
		assert.False(t, known)
	})
}

// pullAll drains the change feed from cursor and returns the kinds and
// IDs seen, and the new cursor.
func pullAll(t *testing.T, f *contentFixture, who, cursor string) (map[string]api.Change, string) {
	t.Helper()
	got := map[string]api.Change{}
	for i := 0; i < 50; i++ {
		page, err := f.s.Changes(f.ctx, f.c(who), cursor)
		require.NoError(t, err)
		for _, c := range page.Changes {
			got[c.Kind+"/"+c.ID] = c
		}
		cursor = page.Cursor
		if page.Complete {
			return got, cursor
		}
	}
	t.Fatal("feed never completed")
	return nil, ""
}

func TestContentFeed_EachChangeReachesWhoMaySeeItAndNobodyElse(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		f.publish("Eberick", "Eberick-2025.1-setup.exe", "2025.1", time.Time{}, content("old", 10))
		snap, _ := pullAll(t, f, f.ana, "")
		require.Contains(t, snap, api.KindDownload+"/Eberick", "the snapshot carries the downloads")
		require.Contains(t, snap, api.KindNews+"/Eberick", "and the news")

		cursors := map[string]string{}
		for _, who := range []string{f.ana, f.adam, f.mia, f.carla, f.eve} {
			_, cursors[who] = pullAll(t, f, who, "")
		}
		// A news item reaches Acme's users and the seat holder.
		_, err := f.s.PublishNews(f.ctx, store.NewsSpec{Product: "Eberick", Title: "Alert", Body: "b", Severity: core.SeverityCritical})
		require.NoError(t, err)
		for _, who := range []string{f.ana, f.adam, f.mia, f.carla} {
			got, cur := pullAll(t, f, who, cursors[who])
			cursors[who] = cur
			c, ok := got[api.KindNews+"/Eberick"]
			require.True(t, ok, who)
			assert.Contains(t, string(c.Data), `"title":"Alert"`)
			assert.Contains(t, string(c.Data), `"new":true`)
		}
		got, cur := pullAll(t, f, f.eve, cursors[f.eve])
		cursors[f.eve] = cur
		assert.Empty(t, got, "a stranger hears nothing")

		// A request by Mia reaches Mia, Ana and Adam, not Carla or Eve.
		r, err := f.s.CreateServiceRequest(f.ctx, f.c(f.mia), store.Write{}, api.NewServiceRequest{AccountID: f.acme,
			Product: "Eberick", Title: "Help", Description: "please"})
		require.NoError(t, err)
		for _, who := range []string{f.ana, f.adam, f.mia} {
			got, cur := pullAll(t, f, who, cursors[who])
			cursors[who] = cur
			c, ok := got[api.KindRequest+"/"+r.ID]
			require.True(t, ok, who)
			assert.False(t, c.Deleted)
			assert.Contains(t, string(c.Data), `"comment_count":0`)
		}
		for _, who := range []string{f.carla, f.eve} {
			got, cur := pullAll(t, f, who, cursors[who])
			cursors[who] = cur
			assert.NotContains(t, got, api.KindRequest+"/"+r.ID, who)
		}

		// Marking news read and downloading change only the caller's feed.
		_, err = f.s.MarkNewsRead(f.ctx, f.c(f.ana), store.Write{}, "Eberick")
		require.NoError(t, err)
		got, cursors[f.ana] = pullAll(t, f, f.ana, cursors[f.ana])
		require.Contains(t, got, api.KindNews+"/Eberick")
		assert.Contains(t, string(got[api.KindNews+"/Eberick"].Data), `"new_count":0`)
		got, cursors[f.adam] = pullAll(t, f, f.adam, cursors[f.adam])
		assert.Empty(t, got, "Adam's visits are his own")
	})
}
