package portal_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/blobs"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// contentPortal is a real portal on loopback with a downloads folder and
// e-mails written to a folder, and the server itself for the vendor
// operator's functions (publishing news e-mails subscribers).
type contentPortal struct {
	*testPortal
	srv   *portal.Server
	files blobs.Dir
}

func eachContentBackend(t *testing.T, fn func(t *testing.T, p *contentPortal)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, startContentPortal(t, b.DSN)) })
	}
}

func startContentPortal(t testing.TB, dsn string) *contentPortal {
	t.Helper()
	p := startPortal(t, dsn)
	return &contentPortal{testPortal: p, srv: p.Server, files: blobs.Dir{Path: p.FilesDir}}
}

// installer returns n deterministic bytes, as incompressible as a real
// installer.
func installer(seed string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(seed + strconv.Itoa(i)))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (p *contentPortal) publish(product, name, version string, released time.Time, b []byte) api.DownloadFile {
	p.t.Helper()
	f, err := p.Store.PublishFile(context.Background(), p.files, store.FileSpec{Product: product, Name: name, Version: version,
		ReleasedAt: released, Size: int64(len(b)), SHA256: hexSHA(b)}, bytes.NewReader(b))
	require.NoError(p.t, err)
	return f
}

// raw sends a request and returns the whole answer, headers included.
func (p *contentPortal) raw(method, path, token string, headers ...string) (*http.Response, []byte) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.URL+path, nil)
	require.NoError(p.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := p.http.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return resp, b
}

// downloadChanges pulls the feed after cursor and counts the caller's
// "download" changes: one per recorded download.
func (p *contentPortal) downloadChanges(tok, cursor string) (int, string) {
	p.t.Helper()
	c := p.pull(tok, cursor)
	require.True(p.t, c.Complete)
	return kinds(c)[api.KindDownload], c.Cursor
}

func TestDownloadStory_AResumedDownloadMatchesItsSHA256AndIsRecordedOnce(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, p *contentPortal) {
		ana := p.signup("ana@acme.example", "Acme")
		acct := p.accountOf(ana.Token)
		lic := p.issue(acct, "Eberick", "professional", []string{"Concrete"}, 3)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Product: "Eberick"}).Status)
		body := installer("eberick-2025.1", 300<<10+123)
		old := p.publish("Eberick", "Eberick 2025.1 setup.exe", "2025.1", time.Now().AddDate(-1, 0, 0), body)

		var list []api.DownloadFile
		p.do("GET", "/v1/downloads", ana.Token, nil).decode(t, &list)
		require.Len(t, list, 1)
		assert.Equal(t, old.ID, list[0].ID)
		assert.Equal(t, int64(len(body)), list[0].Size)
		assert.False(t, list[0].NewerVersion)

		_, cursor := p.downloadChanges(ana.Token, "")
		content := "/v1/downloads/" + old.ID + "/content"
		half := len(body) / 2

		// First half, as a download manager starts.
		resp, first := p.raw("GET", content, ana.Token, "Range", fmt.Sprintf("bytes=0-%d", half-1))
		require.Equal(t, http.StatusPartialContent, resp.StatusCode, string(first))
		assert.Equal(t, fmt.Sprintf("bytes 0-%d/%d", half-1, len(body)), resp.Header.Get("Content-Range"))
		etag := resp.Header.Get("Etag")
		assert.Equal(t, `"`+hexSHA(body)+`"`, etag)
		assert.Equal(t, `attachment; filename="Eberick 2025.1 setup.exe"`, resp.Header.Get("Content-Disposition"))
		assert.Contains(t, resp.Header.Get("Repr-Digest"), "sha-256=:")
		n, cursor := p.downloadChanges(ana.Token, cursor)
		assert.Equal(t, 1, n, "the answer starting at byte 0 records the download")

		// The rest, resumed against the same ETag.
		resp, rest := p.raw("GET", content, ana.Token, "Range", fmt.Sprintf("bytes=%d-", half), "If-Range", etag)
		require.Equal(t, http.StatusPartialContent, resp.StatusCode)
		whole := append(first, rest...)
		assert.Equal(t, hexSHA(body), hexSHA(whole), "the resumed download is the published file")
		n, cursor = p.downloadChanges(ana.Token, cursor)
		assert.Zero(t, n, "resuming is not a second download")

		// A range past the end: 416 with the size, nothing recorded.
		resp, b := p.raw("GET", content, ana.Token, "Range", fmt.Sprintf("bytes=%d-", len(body)))
		require.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)
		assert.Equal(t, fmt.Sprintf("bytes */%d", len(body)), resp.Header.Get("Content-Range"))
		assert.Equal(t, api.ProblemContentType, resp.Header.Get("Content-Type"))
		pr := reply{Status: resp.StatusCode, Body: b}.problem(t)
		assert.Equal(t, "download.range", pr.Code)
		resp, _ = p.raw("HEAD", content, ana.Token)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
		resp, _ = p.raw("GET", content, ana.Token, "If-None-Match", etag)
		assert.Equal(t, http.StatusNotModified, resp.StatusCode)
		n, cursor = p.downloadChanges(ana.Token, cursor)
		assert.Zero(t, n, "HEAD, 304 and 416 record nothing")

		// History: the download, then a newer version appears.
		var hist []api.DownloadRecord
		p.do("GET", "/v1/downloads/history", ana.Token, nil).decode(t, &hist)
		require.Len(t, hist, 1)
		assert.Equal(t, "Eberick 2025.1 setup.exe", hist[0].FileName)
		assert.Equal(t, "2025.1", hist[0].Version)
		assert.False(t, hist[0].NewerVersion)
		p.publish("Eberick", "Eberick 2026.1 setup.exe", "2026.1", time.Now(), installer("eberick-2026.1", 1000))
		p.do("GET", "/v1/downloads/history", ana.Token, nil).decode(t, &hist)
		require.Len(t, hist, 1)
		assert.True(t, hist[0].NewerVersion, "newer version available")
		assert.Equal(t, "2026.1", hist[0].LatestVersion)
		assert.WithinDuration(t, time.Now(), hist[0].DownloadedAt, time.Minute)
		assert.WithinDuration(t, old.ReleasedAt, hist[0].FileDate, time.Millisecond)
		n, _ = p.downloadChanges(ana.Token, cursor)
		assert.Equal(t, 1, n, "the new file reaches the account's feed")

		// A colleague holding a seat downloads in one go; Eberick appears
		// in the products of her own account.
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", ana.Token, api.SeatRequest{Email: "carla@outside.example"}).Status)
		carla := p.signup("carla@outside.example", "Carla")
		resp, all := p.raw("GET", content, carla.Token)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, body, all)
		var products []api.Product
		p.do("GET", "/v1/products", carla.Token, nil).decode(t, &products)
		require.Len(t, products, 1)
		assert.Equal(t, "Eberick", products[0].Product)
		assert.Equal(t, "download", products[0].Source)
		assert.Equal(t, p.accountOf(carla.Token), products[0].AccountID)
	})
}

func TestSupportStory_AServiceRequestIsFollowedToClosedWithComments(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, p *contentPortal) {
		ana := p.signup("ana@acme.example", "Acme")
		p.issue(p.accountOf(ana.Token), "QiBuilder", "standard", nil, 1)

		r := p.do("POST", "/v1/support", ana.Token, api.NewServiceRequest{Product: "QiBuilder", Title: "Offline activation rejected",
			Description: "The workstation refuses the response file."}, api.IdempotencyHeader, "open-1")
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var sr api.ServiceRequest
		r.decode(t, &sr)
		assert.Regexp(t, `^SR-\d{6}$`, sr.ID)
		assert.Equal(t, "open", sr.State)
		again := p.do("POST", "/v1/support", ana.Token, api.NewServiceRequest{Product: "QiBuilder", Title: "Offline activation rejected",
			Description: "The workstation refuses the response file."}, api.IdempotencyHeader, "open-1")
		assert.JSONEq(t, string(r.Body), string(again.Body), "a replayed key opens nothing new")

		var products []api.Product
		p.do("GET", "/v1/products", ana.Token, nil).decode(t, &products)
		require.Len(t, products, 1)
		assert.Equal(t, "service_request", products[0].Source, "the request lists the product")

		_, err := p.Store.UpdateServiceRequest(context.Background(), sr.ID, store.SupportUpdate{State: core.RequestWaiting,
			Comment: "Please send the request file."})
		require.NoError(t, err)
		r = p.do("POST", "/v1/support/"+sr.ID+"/comments", ana.Token, api.NewComment{Body: "Here it is."})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		r.decode(t, &sr)
		assert.Equal(t, "in_progress", sr.State, "the answer hands it back to support")

		r = p.do("POST", "/v1/support/"+sr.ID+"/close", ana.Token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &sr)
		assert.Equal(t, "closed", sr.State)
		r = p.do("POST", "/v1/support/"+sr.ID+"/comments", ana.Token, api.NewComment{Body: "Thanks!"})
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "request.closed", r.problem(t).Code)

		var full api.ServiceRequest
		p.do("GET", "/v1/support/"+sr.ID, ana.Token, nil).decode(t, &full)
		require.Len(t, full.Comments, 2)
		assert.Equal(t, store.SupportName, full.Comments[0].AuthorName)
		assert.Equal(t, "ana@acme.example", full.Comments[1].AuthorEmail)
		var closed, open []api.ServiceRequest
		p.do("GET", "/v1/support?state=closed", ana.Token, nil).decode(t, &closed)
		p.do("GET", "/v1/support?state=open&state=in_progress&state=waiting", ana.Token, nil).decode(t, &open)
		assert.Len(t, closed, 1)
		assert.Empty(t, open)
		assert.Nil(t, closed[0].Comments, "lists leave comments out")
		assert.Equal(t, 2, closed[0].CommentCount)

		bad := []struct {
			name, method, path string
			body               any
			status             int
			code               string
		}{
			{"unknown state filter", "GET", "/v1/support?state=solved", nil, 400, "request.state"},
			{"title over 200", "POST", "/v1/support", api.NewServiceRequest{Product: "QiBuilder", Title: strings.Repeat("x", 201), Description: "d"}, 400, "request.title"},
			{"no description", "POST", "/v1/support", api.NewServiceRequest{Product: "QiBuilder", Title: "t"}, 400, "request.text"},
			{"unknown product", "POST", "/v1/support", api.NewServiceRequest{Product: "Nope", Title: "t", Description: "d"}, 404, "product.unknown"},
			{"unknown field", "POST", "/v1/support", []byte(`{"product":"QiBuilder","title":"t","description":"d","state":"closed"}`), 400, "request.unknown_field"},
			{"oversized comment body", "POST", "/v1/support/" + sr.ID + "/comments", append([]byte(`{"body":"`), bytes.Repeat([]byte("a"), api.MaxBodyBytes)...), 413, "request.too_large"},
			{"comment too long", "POST", "/v1/support/" + sr.ID + "/comments", api.NewComment{Body: strings.Repeat("a", core.MaxRequestText+1)}, 400, "request.text"},
			{"malformed ID", "GET", "/v1/support/42", nil, 400, "request.id"},
			{"unknown request", "GET", "/v1/support/SR-999999", nil, 404, "request.not_found"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				r := p.do(c.method, c.path, ana.Token, c.body)
				assert.Equal(t, c.status, r.Status, string(r.Body))
				assert.Equal(t, c.code, r.problem(t).Code)
			})
		}
		var after []api.ServiceRequest
		p.do("GET", "/v1/support", ana.Token, nil).decode(t, &after)
		assert.Len(t, after, 1, "bad input opened nothing")
	})
}

// rss20 is the RSS 2.0 document as the specification requires it.
type rss20 struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		// Links holds <link> and <atom:link rel="self">, told apart by
		// namespace.
		Links []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
			Href    string `xml:"href,attr"`
		} `xml:"link"`
		Description string `xml:"description"`
		Items       []struct {
			Title       string `xml:"title"`
			Description string `xml:"description"`
			PubDate     string `xml:"pubDate"`
			GUID        struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
		} `xml:"item"`
	} `xml:"channel"`
}

func newsTitles(pn []api.ProductNews) []string {
	out := []string{}
	for _, p := range pn {
		for _, it := range p.Items {
			s := p.Product + ": " + it.Title
			if it.New {
				s += " (new)"
			}
			out = append(out, s)
		}
	}
	return out
}

func TestNewsStory_NewThenReadEmailedToSubscribersAndReadableAsRSS(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, p *contentPortal) {
		ctx := context.Background()
		ana := p.signup("ana@acme.example", "Acme")
		p.sell("Eberick")
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Product: "Eberick"}).Status)
		released := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
		_, err := p.srv.PublishNews(ctx, store.NewsSpec{Product: "Eberick", Title: "Eberick 2026.1 released",
			Body: "Faster slab analysis & <DWG> export.", Severity: core.SeverityInfo, PublishedAt: released})
		require.NoError(t, err)

		var news []api.ProductNews
		p.do("GET", "/v1/news", ana.Token, nil).decode(t, &news)
		assert.Equal(t, []string{"Eberick: Eberick 2026.1 released (new)"}, newsTitles(news))

		r := p.do("PUT", "/v1/news/subscription", ana.Token, api.NewsSubscription{Product: "Eberick", Subscribed: true})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r = p.do("POST", "/v1/news/read", ana.Token, api.NewsRead{Product: "Eberick"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var read api.ProductNews
		r.decode(t, &read)
		assert.True(t, read.Subscribed)
		assert.Zero(t, read.NewCount)
		require.NotNil(t, read.LastVisit)

		alert, err := p.srv.PublishNews(ctx, store.NewsSpec{Product: "Eberick", Title: "Security update",
			Body: "Install 2026.1.", Severity: core.SeverityCritical})
		require.NoError(t, err)
		p.do("GET", "/v1/news", ana.Token, nil).decode(t, &news)
		assert.Equal(t, []string{"Eberick: Security update (new)", "Eberick: Eberick 2026.1 released"}, newsTitles(news))
		mails := p.mails("ana@acme.example")
		require.Len(t, mails, 1, "the subscriber got the alert, once")
		assert.Contains(t, mails[0], "Subject: [Eberick] Critical: Security update")

		// The RSS feed needs no login and is read by a standard parser.
		resp, body := p.raw("GET", "/v1/news/Eberick/rss", "")
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Equal(t, "application/rss+xml; charset=utf-8", resp.Header.Get("Content-Type"))
		feed, err := gofeed.NewParser().ParseString(string(body))
		require.NoError(t, err)
		assert.Equal(t, "rss", feed.FeedType)
		assert.Equal(t, "2.0", feed.FeedVersion)
		assert.Equal(t, "Eberick news and alerts", feed.Title)
		require.Len(t, feed.Items, 2)
		assert.Equal(t, "[Critical] Security update", feed.Items[0].Title)
		assert.Equal(t, "urn:licdesk:news:"+alert.ID, feed.Items[0].GUID)
		assert.Equal(t, "Faster slab analysis & <DWG> export.", feed.Items[1].Description, "text is escaped, not markup")
		require.NotNil(t, feed.Items[1].PublishedParsed)
		assert.True(t, released.Equal(*feed.Items[1].PublishedParsed))

		// And it has every element RSS 2.0 requires.
		var doc rss20
		require.NoError(t, xml.Unmarshal(body, &doc))
		assert.Equal(t, "2.0", doc.Version)
		assert.NotEmpty(t, doc.Channel.Title)
		links := map[string]string{}
		for _, l := range doc.Channel.Links {
			links[l.XMLName.Space] = l.Value + l.Href
		}
		assert.True(t, strings.HasPrefix(links[""], p.URL), "the channel link: %v", links)
		assert.Equal(t, p.URL+"/v1/news/Eberick/rss", links["http://www.w3.org/2005/Atom"], "and the feed's own address")
		assert.NotEmpty(t, doc.Channel.Description)
		for _, it := range doc.Channel.Items {
			assert.NotEmpty(t, it.Title)
			assert.Equal(t, "false", it.GUID.IsPermaLink)
			_, err := time.Parse(time.RFC1123Z, it.PubDate)
			assert.NoError(t, err, it.PubDate)
		}

		// Polling with the ETag costs a 304; an unknown product is a 404.
		resp, _ = p.raw("GET", "/v1/news/Eberick/rss", "", "If-None-Match", resp.Header.Get("Etag"))
		assert.Equal(t, http.StatusNotModified, resp.StatusCode)
		resp, body = p.raw("GET", "/v1/news/Nothing/rss", "")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Equal(t, "product.unknown", reply{Body: body}.problem(t).Code)

		// Unsubscribed: the next alert is not mailed.
		require.Equal(t, http.StatusOK, p.do("PUT", "/v1/news/subscription", ana.Token, api.NewsSubscription{Product: "Eberick"}).Status)
		_, err = p.srv.PublishNews(ctx, store.NewsSpec{Product: "Eberick", Title: "Later", Body: "b", Severity: core.SeverityWarning})
		require.NoError(t, err)
		assert.Len(t, p.mails("ana@acme.example"), 1)
	})
}

// contentVictim is an account with a download, a request, a news visit
// and a subscription, for strangers to try.
type contentVictim struct {
	token, account, file, request string
}

func newContentVictim(t *testing.T, p *contentPortal) contentVictim {
	v := contentVictim{}
	s := p.signup("owner@victim.example", "Victim")
	v.token, v.account = s.Token, p.accountOf(s.Token)
	p.sell("Eberick")
	require.Equal(t, http.StatusCreated, p.do("POST", "/v1/products", v.token, api.RegisterProductRequest{Product: "Eberick"}).Status)
	v.file = p.publish("Eberick", "Eberick-2026.1.exe", "2026.1", time.Time{}, installer("v", 4096)).ID
	resp, _ := p.raw("GET", "/v1/downloads/"+v.file+"/content", v.token)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var sr api.ServiceRequest
	p.do("POST", "/v1/support", v.token, api.NewServiceRequest{Product: "Eberick", Title: "secret", Description: "victim's secret"}).decode(t, &sr)
	v.request = sr.ID
	_, err := p.srv.PublishNews(context.Background(), store.NewsSpec{Product: "Eberick", Title: "n", Body: "b", Severity: core.SeverityInfo})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, p.do("PUT", "/v1/news/subscription", v.token, api.NewsSubscription{Product: "Eberick", Subscribed: true}).Status)
	return v
}

func (v contentVictim) state(t *testing.T, p *contentPortal) string {
	var b strings.Builder
	for _, path := range []string{"/v1/downloads", "/v1/downloads/history", "/v1/support", "/v1/support/" + v.request, "/v1/news", "/v1/products"} {
		r := p.do("GET", path, v.token, nil)
		require.Equal(t, http.StatusOK, r.Status, path)
		b.Write(r.Body)
	}
	return b.String()
}

// contentForeignCases are the stranger requests of the content routes for
// the walk over every route in security_test.go.
func contentForeignCases(v victim) map[string]struct {
	path string
	body any
} {
	type c = struct {
		path string
		body any
	}
	return map[string]c{
		"GET /v1/downloads":              {"/v1/downloads?product=" + v.product, nil},
		"GET /v1/downloads/history":      {"/v1/downloads/history", nil},
		"GET /v1/downloads/{id}/content": {"/v1/downloads/fil_unknown/content", nil},
		"GET /v1/support":                {"/v1/support", nil},
		"POST /v1/support":               {"/v1/support", api.NewServiceRequest{AccountID: v.account, Product: v.product, Title: "t", Description: "d"}},
		"GET /v1/support/{id}":           {"/v1/support/SR-000001", nil},
		"POST /v1/support/{id}/comments": {"/v1/support/SR-000001/comments", api.NewComment{Body: "hi"}},
		"POST /v1/support/{id}/close":    {"/v1/support/SR-000001/close", nil},
		"GET /v1/news":                   {"/v1/news?product=" + v.product, nil},
		"POST /v1/news/read":             {"/v1/news/read", api.NewsRead{Product: v.product}},
		"PUT /v1/news/subscription":      {"/v1/news/subscription", api.NewsSubscription{Product: v.product, Subscribed: true}},
	}
}

func TestContentEndpoints_AStrangersTokenNeitherReadsNorChangesAnotherAccount(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, p *contentPortal) {
		v := newContentVictim(t, p)
		stranger := p.signup("stranger@evil.example", "Evil")
		before := v.state(t, p)
		secrets := []string{v.file, v.request, v.account, "victim's secret"}
		cases := []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1/downloads", nil},
			{"GET", "/v1/downloads?product=Eberick", nil},
			{"GET", "/v1/downloads/history", nil},
			{"GET", "/v1/downloads/" + v.file + "/content", nil},
			{"HEAD", "/v1/downloads/" + v.file + "/content", nil},
			{"GET", "/v1/support", nil},
			{"POST", "/v1/support", api.NewServiceRequest{AccountID: v.account, Product: "Eberick", Title: "t", Description: "d"}},
			{"GET", "/v1/support/" + v.request, nil},
			{"POST", "/v1/support/" + v.request + "/comments", api.NewComment{Body: "mine now"}},
			{"POST", "/v1/support/" + v.request + "/close", nil},
			{"GET", "/v1/news", nil},
			{"POST", "/v1/news/read", api.NewsRead{Product: "Eberick"}},
			{"PUT", "/v1/news/subscription", api.NewsSubscription{Product: "Eberick", Subscribed: false}},
		}
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				assert.Equal(t, http.StatusUnauthorized, p.do(c.method, c.path, "", c.body).Status, "no token")
				r := p.do(c.method, c.path, stranger.Token, c.body)
				if r.Status < 300 {
					for _, s := range secrets {
						assert.NotContains(t, string(r.Body), s)
					}
				} else {
					assert.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
				}
			})
		}
		assert.Equal(t, before, v.state(t, p), "nothing of the victim's changed")
		var mine []api.ServiceRequest
		p.do("GET", "/v1/support", stranger.Token, nil).decode(t, &mine)
		assert.Empty(t, mine)
	})
}

func TestDownloadContent_WithoutAFilesFolderAnswers503AndRecordsNothing(t *testing.T) {
	for _, b := range storetest.Backends(t)[:1] {
		p := startContentPortal(t, b.DSN)
		bare := httptest.NewServer(portal.New(portal.Config{Store: p.Store}))
		defer bare.Close()
		ana := p.signup("ana@acme.example", "Acme")
		p.sell("Eberick")
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Product: "Eberick"}).Status)
		f := p.publish("Eberick", "E.exe", "1", time.Time{}, installer("e", 10))
		req, _ := http.NewRequest("GET", bare.URL+"/v1/downloads/"+f.ID+"/content", nil)
		req.Header.Set("Authorization", "Bearer "+ana.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		var hist []api.DownloadRecord
		p.do("GET", "/v1/downloads/history", ana.Token, nil).decode(t, &hist)
		assert.Empty(t, hist)
	}
}

func TestSeedDemo_ShowsDownloadsWithANewerVersionOpenRequestsAndOneUnseenCriticalAlert(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			p := startContentPortal(t, b.DSN)
			_, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now(), FilesDir: p.files.Path}.Demo(context.Background())
			require.NoError(t, err)
			var sess api.Session
			p.do("POST", "/v1/login", "", api.Credentials{Email: "ana@acme.example", Password: portal.DemoPassword}).decode(t, &sess)
			tok := sess.Token

			var files []api.DownloadFile
			p.do("GET", "/v1/downloads", tok, nil).decode(t, &files)
			assert.Equal(t, []string{"Eberick-2026.1-setup.exe", "Eberick-2025.1-setup.exe", "QiBuilder-2025.2-setup.exe"},
				func() []string {
					out := []string{}
					for _, f := range files {
						out = append(out, f.Name)
					}
					return out
				}())
			for _, f := range files {
				resp, body := p.raw("GET", "/v1/downloads/"+f.ID+"/content", tok, "Range", "bytes=100-")
				require.Equal(t, http.StatusPartialContent, resp.StatusCode)
				assert.Greater(t, len(body), 200<<10, "a few hundred KB of real bytes")
			}
			var hist []api.DownloadRecord
			p.do("GET", "/v1/downloads/history", tok, nil).decode(t, &hist)
			require.Len(t, hist, 1)
			assert.Equal(t, "2025.1", hist[0].Version)
			assert.True(t, hist[0].NewerVersion)

			var reqs []api.ServiceRequest
			p.do("GET", "/v1/support?state=open&state=in_progress&state=waiting", tok, nil).decode(t, &reqs)
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Positive(t, r.CommentCount)
			}
			p.do("GET", "/v1/support?state=closed", tok, nil).decode(t, &reqs)
			assert.Len(t, reqs, 1)

			var news []api.ProductNews
			p.do("GET", "/v1/news", tok, nil).decode(t, &news)
			var fresh []string
			for _, pn := range news {
				for _, it := range pn.Items {
					if it.New {
						fresh = append(fresh, it.Severity+": "+it.Title)
					}
				}
			}
			assert.Equal(t, []string{"critical: Security update: install Eberick 2026.1"}, fresh)
			mails := p.mails("ana@acme.example")
			found := false
			for _, m := range mails {
				found = found || strings.Contains(m, "Subject: [Eberick] Critical: Security update")
			}
			assert.True(t, found, "Ana subscribed, so the alert was e-mailed")
		})
	}
}

func TestSeedDemo_WithoutAFilesFolderStillSeedsRequestsAndNews(t *testing.T) {
	p := startContentPortal(t, storetest.Backends(t)[0].DSN)
	_, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now()}.Demo(context.Background())
	require.NoError(t, err)
	var sess api.Session
	p.do("POST", "/v1/login", "", api.Credentials{Email: "ana@acme.example", Password: portal.DemoPassword}).decode(t, &sess)
	var reqs []api.ServiceRequest
	p.do("GET", "/v1/support", sess.Token, nil).decode(t, &reqs)
	assert.Len(t, reqs, 3)
}
