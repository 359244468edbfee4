package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal/blobs"
	"github.com/licdesk/licdesk/portal/store"
)

// contentRoutes registers the endpoints of downloads, support and news.
func (s *Server) contentRoutes() {
	s.handleAuthed("GET /v1/downloads", s.downloads)
	s.handleAuthed("GET /v1/downloads/history", s.downloadHistory)
	s.handleAuthed("GET /v1/downloads/{id}/content", s.downloadContent)

	s.handleAuthed("GET /v1/support", s.serviceRequests)
	s.handleAuthed("POST /v1/support", s.openServiceRequest)
	s.handleAuthed("GET /v1/support/{id}", s.serviceRequest)
	s.handleAuthed("POST /v1/support/{id}/comments", s.commentServiceRequest)
	s.handleAuthed("POST /v1/support/{id}/close", s.closeServiceRequest)

	s.handleAuthed("GET /v1/news", s.news)
	s.handleAuthed("POST /v1/news/read", s.markNewsRead)
	s.handleAuthed("PUT /v1/news/subscription", s.setNewsSubscription)
	// Public: news is the vendor's announcement to everyone using a product,
	// and feed readers cannot send a bearer token.
	s.handle("GET /v1/news/{product}/rss", s.newsRSS)
}

func (s *Server) downloads(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Downloads(r.Context(), c, r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) downloadHistory(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.DownloadHistory(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// downloadContent serves a file's bytes with http.ServeContent: Range and
// If-Range (resumable downloads), HEAD, and conditional requests on the
// ETag, which is the quoted SHA-256, so a resumed download can never mix
// the bytes of two releases. Repr-Digest (RFC 9530) carries the same digest
// for clients that check the whole file.
//
// A download is recorded once: on the answer that starts at byte 0 (a 200,
// or a 206 whose range starts at 0), when its headers go out. The rest of
// a resumed download (a range starting later) is not a new download, and
// an interrupted first attempt still counts, as the user did fetch the
// software. HEAD, 304 and 416 answers record nothing.
func (s *Server) downloadContent(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	b, err := s.cfg.Store.DownloadBlob(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.cfg.FilesDir == "" {
		return core.E(core.Offline, "download.unavailable", "this portal has no downloads folder configured")
	}
	f, err := blobs.Dir{Path: s.cfg.FilesDir}.Open(b.File.SHA256)
	if err != nil {
		return fmt.Errorf("download %s: %w", b.File.ID, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("download %s: %w", b.File.ID, err)
	}
	if st.Size() != b.File.Size {
		return fmt.Errorf("download %s: the stored blob has %d bytes, not the %d published", b.File.ID, st.Size(), b.File.Size)
	}
	sum, _ := hex.DecodeString(b.File.SHA256)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": b.File.Name}))
	h.Set("Etag", `"`+b.File.SHA256+`"`)
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	h.Set("Cache-Control", "private")
	h.Set("X-Content-Type-Options", "nosniff")
	dw := &downloadWriter{ResponseWriter: w, lang: requestLang(r), record: r.Method == http.MethodGet, onStart: func() error {
		return s.cfg.Store.RecordDownload(r.Context(), c, b.File.ID)
	}}
	http.ServeContent(dw, r, "", b.PublishedAt, f)
	if dw.err != nil {
		// The answer went out as a problem already; log why.
		s.cfg.Logger.Error("download not recorded", "file", b.File.ID, "err", dw.err)
	}
	return nil
}

// errAnswered stops http.ServeContent's copy once the answer was replaced.
var errAnswered = errors.New("answer replaced")

// downloadWriter sits between http.ServeContent and the client: it records
// the download when an answer starting at byte 0 begins, and turns the
// plain-text 416 of ServeContent into a problem answer like every other
// refusal.
type downloadWriter struct {
	http.ResponseWriter
	lang     *i18n.Lang // of the request, for a problem answered instead
	record   bool
	onStart  func() error
	started  bool
	replaced bool
	err      error
}

func (d *downloadWriter) WriteHeader(code int) {
	if d.started {
		return
	}
	d.started = true
	switch {
	case code == http.StatusRequestedRangeNotSatisfiable:
		d.replaced = true
		// Content-Range: bytes */size stays, telling the client the size.
		d.Header().Del("Content-Disposition")
		writeProblem(d.ResponseWriter, localize(api.Problem{Status: code, Code: "download.range",
			Detail: "the range asked for starts past the end of the file; ask for bytes before " + strings.TrimPrefix(d.Header().Get("Content-Range"), "bytes */")}, d.lang, nil), 0)
		return
	case d.record && (code == http.StatusOK ||
		(code == http.StatusPartialContent && strings.HasPrefix(d.Header().Get("Content-Range"), "bytes 0-"))):
		d.record = false
		if err := d.onStart(); err != nil {
			d.replaced, d.err = true, err
			for _, k := range []string{"Content-Range", "Content-Length", "Content-Disposition", "Etag", "Repr-Digest", "Last-Modified", "Accept-Ranges"} {
				d.Header().Del(k)
			}
			p, retry, _ := problemIn(err, d.lang)
			writeProblem(d.ResponseWriter, p, retry)
			return
		}
	}
	d.ResponseWriter.WriteHeader(code)
}

func (d *downloadWriter) Write(b []byte) (int, error) {
	if !d.started {
		d.WriteHeader(http.StatusOK)
	}
	if d.replaced {
		return 0, errAnswered
	}
	return d.ResponseWriter.Write(b)
}

// ReadFrom keeps the server's sendfile path for the body where the writer
// below offers it (io.Copy looks for ReadFrom).
func (d *downloadWriter) ReadFrom(src io.Reader) (int64, error) {
	if !d.started {
		d.WriteHeader(http.StatusOK)
	}
	if d.replaced {
		return 0, errAnswered
	}
	if rf, ok := d.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{d.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the connection.
func (d *downloadWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

// writerOnly hides a writer's ReadFrom, so io.Copy does not call back.
type writerOnly struct{ io.Writer }

func (s *Server) serviceRequests(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var states []core.RequestState
	for _, v := range r.URL.Query()["state"] {
		st, err := core.ParseRequestState(v)
		if err != nil {
			return err
		}
		states = append(states, st)
	}
	v, err := s.cfg.Store.ServiceRequests(r.Context(), c, states)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) serviceRequest(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.ServiceRequest(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) openServiceRequest(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.NewServiceRequest
	wr, err := decodeWrite(r, "support.open", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.CreateServiceRequest(r.Context(), c, wr, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/support/"+v.ID)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) commentServiceRequest(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.NewComment
	wr, err := decodeWrite(r, "support.comment", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.CommentServiceRequest(r.Context(), c, wr, r.PathValue("id"), req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) closeServiceRequest(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "support.close", nil)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.CloseServiceRequest(r.Context(), c, wr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) news(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.News(r.Context(), c, r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) markNewsRead(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.NewsRead
	wr, err := decodeWrite(r, "news.read", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.MarkNewsRead(r.Context(), c, wr, req.Product)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) setNewsSubscription(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.NewsSubscription
	wr, err := decodeWrite(r, "news.subscription", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.SetNewsSubscription(r.Context(), c, wr, req.Product, req.Subscribed)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// rssItems is how many items a product's feed carries.
const rssItems = 50

// RSS 2.0 (https://www.rssboard.org/rss-specification), with the
// atom:link rel="self" that feed validators ask for.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Self          rssSelf   `xml:"atom:link"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	TTL           int       `xml:"ttl"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Description string  `xml:"description"`
	Category    string  `xml:"category"`
	PubDate     string  `xml:"pubDate"`
	GUID        rssGUID `xml:"guid"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// newsRSS serves a product's news as an RSS 2.0 feed, with no login (see
// contentRoutes). Each item's guid is its stable ID, so a feed reader shows
// an item once however often it polls; the ETag (a digest of the feed)
// lets it poll with If-None-Match and get a 304.
func (s *Server) newsRSS(w http.ResponseWriter, r *http.Request) error {
	product := r.PathValue("product")
	items, known, err := s.cfg.Store.PublicNews(r.Context(), product, rssItems)
	if err != nil {
		return err
	}
	if !known {
		return core.WithArgs(core.E(core.NotFound, core.CodeProductUnknown, "there is no product named "+strings.TrimSpace(product)), "Product", strings.TrimSpace(product))
	}
	base := s.publicBase(r)
	feed := rssDoc{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: rssChannel{
		Title:       product + " news and alerts",
		Link:        base + "/",
		Description: "News and alerts about " + product + " from License Desk: releases, maintenance, security notices.",
		Self:        rssSelf{Href: base + "/v1/news/" + url.PathEscape(product) + "/rss", Rel: "self", Type: "application/rss+xml"},
		Language:    "en", Generator: "licportal", TTL: 60,
		Items: make([]rssItem, 0, len(items)),
	}}
	var newest time.Time
	for _, it := range items {
		title := it.Title
		if it.Severity != core.SeverityInfo.String() {
			title = "[" + strings.ToUpper(it.Severity[:1]) + it.Severity[1:] + "] " + title
		}
		feed.Channel.Items = append(feed.Channel.Items, rssItem{Title: title, Description: it.Body, Category: it.Severity,
			PubDate: it.PublishedAt.UTC().Format(time.RFC1123Z),
			GUID:    rssGUID{IsPermaLink: "false", Value: "urn:licdesk:news:" + it.ID}})
		if it.PublishedAt.After(newest) {
			newest = it.PublishedAt
		}
	}
	if !newest.IsZero() {
		feed.Channel.LastBuildDate = newest.UTC().Format(time.RFC1123Z)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return fmt.Errorf("rss of %s: %w", product, err)
	}
	body := buf.Bytes()
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Etag", `"`+tokenHash(string(body))[:32]+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return nil
}

// publicBase is the portal's URL for links: Config.BaseURL, else what the
// request was addressed to.
func (s *Server) publicBase(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// PublishNews is the vendor operator's (not reachable over the API): it
// publishes a news item and e-mails it to the product's subscribers. The
// item is committed before the e-mails go out, so a mail failure is logged
// rather than undoing the publication.
func (s *Server) PublishNews(ctx context.Context, spec store.NewsSpec) (api.NewsItem, error) {
	pub, err := s.cfg.Store.PublishNews(ctx, spec)
	if err != nil {
		return api.NewsItem{}, err
	}
	// The e-mails to subscribers were queued with the item; deliver them now
	// rather than at the sender's next round, since the operator is waiting.
	if err := s.FlushMail(ctx); err != nil {
		s.cfg.Logger.Error("news e-mails not all sent; they stay queued", "news", pub.Item.ID, "err", err)
	}
	return pub.Item, nil
}
