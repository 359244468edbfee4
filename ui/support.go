package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
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
	Unread  int
	app     *App
	List    *filterList[api.ServiceRequest]
	News    *filterList[newsRow]
	details *widget.Label
	// NewsDetail is the selected news item's own pane: a news item is not
	// a request, and the comment box under a request is not for it.
	NewsDetail *widget.Label
	Comment    *widget.Entry
	NewBtn     *widget.Button
	CommentBt  *widget.Button
	CloseBtn   *widget.Button
	Subscribe  *widget.Check
	ReadBtn    *widget.Button
	rss        *widget.Hyperlink
	products   []string
}

func newSupportTab(a *App) *SupportTab {
	t := &SupportTab{app: a}
	l := a.l
	t.List = newList(l, "requests", []column{{l.T("ui.support.col.id"), 110}, {l.T("ui.support.col.title"), 260}, {l.T("ui.assigned.col.product"), 150},
		{l.T("ui.solutions.col.state"), 100}, {l.T("ui.support.col.created"), 100}, {l.T("ui.support.col.updated"), 100}}, func(r api.ServiceRequest, c []string) {
		c[0] = r.ID
		c[1] = r.Title
		c[2] = r.Product
		c[3] = l.Enum("request", r.State)
		c[4] = a.day(r.CreatedAt)
		c[5] = a.day(r.UpdatedAt)
	})
	t.details = widget.NewLabel(l.T("ui.support.select"))
	t.details.Wrapping = fyne.TextWrapWord
	t.Comment = widget.NewMultiLineEntry()
	t.Comment.SetPlaceHolder(l.T("ui.support.comment.placeholder"))
	t.Comment.SetMinRowsVisible(2)
	t.NewBtn = widget.NewButtonWithIcon(l.T("ui.support.new"), theme.ContentAddIcon(), t.newRequest)
	t.CommentBt = widget.NewButtonWithIcon(l.T("ui.support.comment"), theme.MailSendIcon(), func() {
		if r, ok := t.List.current(); ok && strings.TrimSpace(t.Comment.Text) != "" {
			t.app.send(lsync.CommentServiceRequest(r.ID, t.Comment.Text))
			t.Comment.SetText("")
		}
	})
	t.CloseBtn = widget.NewButtonWithIcon(l.T("ui.support.close"), theme.CancelIcon(), func() {
		if r, ok := t.List.current(); ok {
			t.app.confirm(l.T("ui.support.close"), l.T("ui.support.close.confirm", "ID", r.ID, "Title", r.Title), l.T("ui.support.close.ok"), func(ok bool) {
				if ok {
					t.app.send(lsync.CloseServiceRequest(r.ID))
				}
			})
		}
	})
	t.List.onSelect = t.showRequest
	t.List.onOpen = func(api.ServiceRequest) { a.win.Canvas().Focus(t.Comment) }

	t.NewsDetail = widget.NewLabel(l.T("ui.support.news_select"))
	t.NewsDetail.Wrapping = fyne.TextWrapWord
	t.News = newList(l, "news items", []column{{l.T("ui.support.col.published"), 175}, {l.T("ui.assigned.col.product"), 150},
		{l.T("ui.support.col.severity"), 100}, {l.T("ui.support.col.title"), 300}}, func(n newsRow, c []string) {
		mark := ""
		if n.New {
			mark = "● " + l.T("ui.support.new_mark") + " "
		}
		c[0] = mark + a.day(n.PublishedAt)
		c[1] = n.Product
		c[2] = l.Enum("severity", n.Severity)
		c[3] = n.Title
	})
	t.News.sortDesc = true // newest first

	t.Subscribe = widget.NewCheck(l.T("ui.support.subscribe"), nil)
	t.Subscribe.Disable()
	t.ReadBtn = widget.NewButtonWithIcon(l.T("ui.support.read"), theme.VisibilityIcon(), nil)
	t.ReadBtn.Disable()
	t.rss = widget.NewHyperlink(l.T("ui.support.rss"), nil)
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
	news := container.NewVSplit(t.News.view(),
		container.NewBorder(nil, flow(t.Subscribe, t.ReadBtn, t.rss), nil, nil, container.NewVScroll(t.NewsDetail)))
	news.Offset = 0.55
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
			t.details.SetText(t.app.l.Err(err))
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
	l := t.app.l
	fmt.Fprintf(&b, "%s · %s · %s\n%s\n\n%s", r.ID, r.Title, r.Product,
		l.T("ui.support.opened", "State", l.Enum("request", r.State), "Who", words.OrDash(r.RequesterName),
			"Created", t.app.day(r.CreatedAt), "Updated", t.app.day(r.UpdatedAt)), r.Description)
	if strings.HasPrefix(r.ID, lsync.LocalPrefix) {
		b.WriteString("\n\n" + l.T("ui.support.unsent"))
	}
	for _, c := range r.Comments {
		fmt.Fprintf(&b, "\n\n— %s, %s:\n%s", c.AuthorName, t.app.minute(c.At), c.Body)
	}
	t.details.SetText(b.String())
	closed := r.State == "closed"
	enable(t.CloseBtn, !closed)
	enable(t.CommentBt, !closed)
	t.Comment.Enable()
	if closed {
		t.Comment.Disable()
		t.Comment.SetPlaceHolder(l.T("ui.support.closed"))
	} else {
		t.Comment.SetPlaceHolder(l.T("ui.support.comment.placeholder"))
	}
}

// showNews shows a news item's body and its product's switch and RSS link.
func (t *SupportTab) showNews(n newsRow) {
	l := t.app.l
	t.NewsDetail.SetText(n.Title + "\n" + t.app.day(n.PublishedAt) + " · " + n.Product + " · " + l.Enum("severity", n.Severity) + "\n\n" + n.Body)
	t.Subscribe.OnChanged = nil
	t.Subscribe.SetChecked(n.Subscribed)
	t.Subscribe.Text = l.T("ui.support.subscribe_product", "Product", n.Product)
	t.Subscribe.Enable()
	t.Subscribe.Refresh()
	product := n.Product
	t.Subscribe.OnChanged = func(on bool) { t.app.send(lsync.SubscribeNews(product, on)) }
	t.ReadBtn.OnTapped = func() { t.app.send(lsync.MarkNewsRead(product)) }
	t.ReadBtn.Enable()
	if feed, err := t.app.sess.d.NewsFeedURL(t.app.ctx, product); err == nil {
		u, _ := url.Parse(feed)
		t.rss.SetURL(u)
		t.rss.SetText(l.T("ui.support.rss_product", "Product", product))
		t.rss.Show()
	}
}

// newRequest is the new request form: the product picked from the
// account's products.
func (t *SupportTab) newRequest() {
	l := t.app.l
	product := widget.NewSelect(t.products, nil)
	product.PlaceHolder = l.T("ui.support.form.product.placeholder")
	ttl := newFormEntry(l.T("ui.support.form.title.placeholder"), required(l.T("ui.support.form.title.what")))
	desc := widget.NewMultiLineEntry()
	desc.SetMinRowsVisible(5)
	desc.SetPlaceHolder(l.T("ui.support.form.desc.placeholder"))
	t.app.showForm(l.T("ui.support.form.title"), l.T("ui.support.form.ok"), []formField{
		{label: l.T("ui.assigned.col.product"), obj: product}, {label: l.T("ui.support.col.title"), obj: ttl},
		{label: l.T("ui.support.form.desc"), obj: desc}},
		func(ctx context.Context) (string, error) {
			if product.Selected == "" {
				return "", i18n.Errorf("ui.support.form.missing")
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
