package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// newsRow is one news item with its product's subscription.
type newsRow struct {
	api.NewsItem
	Subscribed bool
}

// SupportTab is "Support & news": the user's service requests with their
// comments, a new request form, and the news and alerts of their products
// ("new since last visit", e-mail subscription, RSS link).
type SupportTab struct {
	// Unread counts the news items new since the last visit: the tab's
	// title carries it as a badge.
	Unread    int
	app       *App
	List      *filterList[api.ServiceRequest]
	News      *filterList[newsRow]
	details   *widget.Label
	Comment   *widget.Entry
	NewBtn    *widget.Button
	CommentBt *widget.Button
	CloseBtn  *widget.Button
	Subscribe *widget.Check
	ReadBtn   *widget.Button
	rss       *widget.Hyperlink
	products  []string
}

func newSupportTab(a *App) *SupportTab {
	t := &SupportTab{app: a}
	t.List = newFilterList("requests", []column{{"ID", 110}, {"Title", 260}, {"Product", 150}, {"State", 100}, {"Created", 100}, {"Updated", 100}}, func(r api.ServiceRequest, c []string) {
		c[0] = r.ID
		c[1] = r.Title
		c[2] = r.Product
		c[3] = title(r.State)
		c[4] = day(r.CreatedAt)
		c[5] = day(r.UpdatedAt)
	})
	t.details = widget.NewLabel("Select a request to read it and its comments.")
	t.details.Wrapping = fyne.TextWrapWord
	t.Comment = widget.NewMultiLineEntry()
	t.Comment.SetPlaceHolder("Add a comment")
	t.Comment.SetMinRowsVisible(2)
	t.NewBtn = widget.NewButtonWithIcon("New request…", theme.ContentAddIcon(), t.newRequest)
	t.CommentBt = widget.NewButtonWithIcon("Comment", theme.MailSendIcon(), func() {
		if r, ok := t.List.current(); ok && strings.TrimSpace(t.Comment.Text) != "" {
			t.app.send(lsync.CommentServiceRequest(r.ID, t.Comment.Text))
			t.Comment.SetText("")
		}
	})
	t.CloseBtn = widget.NewButtonWithIcon("Close request", theme.CancelIcon(), func() {
		if r, ok := t.List.current(); ok {
			dialog.ShowConfirm("Close request", "Close "+r.ID+" ("+r.Title+")?", func(ok bool) {
				if ok {
					t.app.send(lsync.CloseServiceRequest(r.ID))
				}
			}, t.app.win)
		}
	})
	t.List.onSelect = t.showRequest
	t.List.onOpen = func(api.ServiceRequest) { a.win.Canvas().Focus(t.Comment) }

	t.News = newFilterList("news items", []column{{"Published", 130}, {"Product", 150}, {"Severity", 100}, {"Title", 300}}, func(n newsRow, c []string) {
		mark := ""
		if n.New {
			mark = "● NEW "
		}
		c[0] = mark + day(n.PublishedAt)
		c[1] = n.Product
		c[2] = title(n.Severity)
		c[3] = n.Title
	})
	t.News.sortDesc = true // newest first

	t.Subscribe = widget.NewCheck("E-mail me this product's news", nil)
	t.Subscribe.Disable()
	t.ReadBtn = widget.NewButtonWithIcon("Mark read", theme.VisibilityIcon(), nil)
	t.ReadBtn.Disable()
	t.rss = widget.NewHyperlink("RSS feed", nil)
	t.rss.Hide()
	t.News.onSelect = t.showNews
	return t
}

func (t *SupportTab) content() fyne.CanvasObject {
	detail := container.NewBorder(nil, container.NewVBox(t.Comment, flow(t.CommentBt, t.CloseBtn)), nil, nil,
		container.NewVScroll(t.details))
	requests := container.NewVSplit(
		container.NewBorder(nil, container.NewHBox(t.NewBtn), nil, nil,
			t.List.view()),
		detail)
	requests.Offset = 0.55
	news := container.NewBorder(nil, flow(t.Subscribe, t.ReadBtn, t.rss), nil, nil,
		t.News.view())
	split := container.NewHSplit(requests, news)
	split.Offset = 0.6
	return split
}

func (t *SupportTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

// unreadNews counts the news items not read yet.
func unreadNews(news []api.ProductNews) int {
	n := 0
	for _, pn := range news {
		for _, it := range pn.Items {
			if it.New {
				n++
			}
		}
	}
	return n
}

func (t *SupportTab) load(ctx context.Context) func() {
	reqs, err := lsync.List[api.ServiceRequest](ctx, t.app.sess.cache, api.KindRequest)
	// Newest first: the request being followed is usually the latest.
	for i, j := 0, len(reqs)-1; i < j; i, j = i+1, j-1 {
		reqs[i], reqs[j] = reqs[j], reqs[i]
	}
	news, _ := lsync.List[api.ProductNews](ctx, t.app.sess.cache, api.KindNews)
	var items []newsRow
	var products []string
	for _, pn := range news {
		products = append(products, pn.Product)
		for _, it := range pn.Items {
			items = append(items, newsRow{NewsItem: it, Subscribed: pn.Subscribed})
		}
	}
	if ps, err := t.app.sess.cache.Products(ctx); err == nil {
		for _, p := range ps {
			if !contains(products, p.Product) {
				products = append(products, p.Product)
			}
		}
	}
	unread := unreadNews(news)
	rr := prepareRows(reqs, func(r api.ServiceRequest) string { return r.ID + " " + r.Title + " " + r.Product + " " + r.State })
	nr := prepareRows(items, func(n newsRow) string { return n.Product + " " + n.Title + " " + n.Severity })
	return func() {
		if err != nil {
			t.details.SetText(err.Error())
		}
		t.products = products
		t.Unread = unread
		t.app.badgeSupport(unread)
		t.List.set(rr, func(a, b api.ServiceRequest) bool { return a.ID == b.ID })
		t.List.selectFirst()
		if r, ok := t.List.current(); ok {
			t.showRequest(r)
		}
		t.News.set(nr, func(a, b newsRow) bool { return a.ID == b.ID })
		if n, ok := t.News.current(); ok {
			t.showNews(n)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (t *SupportTab) showRequest(r api.ServiceRequest) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · %s\n%s, opened by %s on %s, updated %s\n\n%s",
		r.ID, r.Title, r.Product, title(r.State), words.OrDash(r.RequesterName), day(r.CreatedAt), day(r.UpdatedAt), r.Description)
	if strings.HasPrefix(r.ID, lsync.LocalPrefix) {
		b.WriteString("\n\n(Pending: not sent to the portal yet.)")
	}
	for _, c := range r.Comments {
		fmt.Fprintf(&b, "\n\n— %s, %s:\n%s", c.AuthorName, c.At.Local().Format("2006-01-02 15:04"), c.Body)
	}
	t.details.SetText(b.String())
	closed := r.State == "closed"
	enable(t.CloseBtn, !closed)
	enable(t.CommentBt, !closed)
	t.Comment.Enable()
	if closed {
		t.Comment.Disable()
		t.Comment.SetPlaceHolder("This request is closed: open a new one to ask again.")
	} else {
		t.Comment.SetPlaceHolder("Add a comment")
	}
}

// showNews shows a news item's body and its product's switch and RSS link.
func (t *SupportTab) showNews(n newsRow) {
	t.details.SetText(n.Title + "\n" + day(n.PublishedAt) + " · " + n.Product + " · " + title(n.Severity) + "\n\n" + n.Body)
	t.Subscribe.OnChanged = nil
	t.Subscribe.SetChecked(n.Subscribed)
	t.Subscribe.Text = "E-mail me " + n.Product + " news"
	t.Subscribe.Enable()
	t.Subscribe.Refresh()
	product := n.Product
	t.Subscribe.OnChanged = func(on bool) { t.app.send(lsync.SubscribeNews(product, on)) }
	t.ReadBtn.OnTapped = func() { t.app.send(lsync.MarkNewsRead(product)) }
	t.ReadBtn.Enable()
	if feed, err := t.app.sess.d.NewsFeedURL(t.app.ctx, product); err == nil {
		u, _ := url.Parse(feed)
		t.rss.SetURL(u)
		t.rss.SetText("RSS feed of " + product)
		t.rss.Show()
	}
}

// newRequest is the new request form: the product picked from the
// account's products.
func (t *SupportTab) newRequest() {
	product := widget.NewSelect(t.products, nil)
	product.PlaceHolder = "Pick the product"
	ttl := newFormEntry("one line that says what is wrong", required("a title"))
	desc := widget.NewMultiLineEntry()
	desc.SetMinRowsVisible(5)
	desc.SetPlaceHolder("what you did, what happened, what you expected")
	t.app.showForm("New support request", "Open request", []formField{
		{label: "Product", obj: product}, {label: "Title", obj: ttl}, {label: "Description", obj: desc}},
		func(ctx context.Context) (string, error) {
			if product.Selected == "" {
				return "", errors.New("Pick the product the request is about.")
			}
			return t.app.trySend(ctx, write(lsync.OpenServiceRequest(api.NewServiceRequest{Product: product.Selected,
				Title: strings.TrimSpace(ttl.Text), Description: desc.Text})))
		}, t.app.notice)
}

// Open queues a new support request.
func (t *SupportTab) Open(product, title, description string) {
	t.app.send(lsync.OpenServiceRequest(api.NewServiceRequest{Product: strings.TrimSpace(product),
		Title: strings.TrimSpace(title), Description: description}))
}
