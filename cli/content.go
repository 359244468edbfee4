package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

func cmdDownloads(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "downloads "+sub)
	product := f.String("product", "", a.only("list", "cli.downloads.flag.product"))
	history := f.Bool("history", false, a.only("list", "cli.downloads.flag.history"))
	file := f.String("file", "", a.only("get", "cli.downloads.flag.file"))
	outDir := f.String("out", ".", a.only("get", "cli.downloads.flag.out"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		files, err := a.d.DownloadFiles(ctx)
		if err != nil {
			return err
		}
		since := a.env.Now().AddDate(-2, 0, 0)
		var shown []api.DownloadFile
		for _, df := range files {
			if *product != "" && !strings.EqualFold(df.Product, *product) {
				continue
			}
			if *history && (df.DownloadedAt == nil || df.DownloadedAt.Before(since)) {
				continue
			}
			shown = append(shown, df)
		}
		if a.json {
			return a.printJSON(nonNil(shown))
		}
		tw := a.table("cli.header.file", "cli.header.product", "cli.header.name", "cli.header.version", "cli.header.released",
			"cli.header.size", "cli.header.downloaded", "cli.header.newer")
		for _, df := range shown {
			dl := "-"
			if df.DownloadedAt != nil {
				dl = a.date(*df.DownloadedAt)
			}
			newer := "-"
			if df.NewerVersion {
				newer = df.LatestVersion
			}
			row(tw, df.ID, df.Product, df.Name, df.Version, a.date(df.ReleasedAt), words.Size(a.lang, df.Size), dl, newer)
		}
		return tw.Flush()
	case "get":
		if *file == "" && len(pos) == 1 {
			*file = pos[0]
		}
		if err := need("file", *file); err != nil {
			return err
		}
		return a.download(ctx, *file, *outDir)
	}
	return a.want("downloads "+sub, "list", "get")
}

func (a *app) download(ctx context.Context, id, outDir string) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return usage("cli.needs_portal", "What", a.lang.T("cli.job.download"))
	}
	df, err := a.d.FindDownload(ctx, id)
	var nd *desk.NoDownloadError
	if errors.As(err, &nd) {
		return i18n.Errorf("cli.downloads.none", "Err", a.lang.Err(nd))
	}
	if err != nil {
		return err
	}
	var progress lsync.Progress
	if a.env.StderrTerminal && !a.json {
		progress = func(done, total int64) {
			if total > 0 {
				fmt.Fprintf(a.env.Stderr, "\r%s  %3d%%  %s ", df.Name, done*100/total,
					a.lang.T("cli.downloads.progress", "Done", words.Size(a.lang, done), "Total", words.Size(a.lang, total)))
			} else {
				fmt.Fprintf(a.env.Stderr, "\r%s  %s ", df.Name, words.Size(a.lang, done))
			}
		}
	}
	start := a.env.Now()
	got, err := a.d.Fetch(ctx, df, outDir, progress)
	dst := got.Path
	if progress != nil && !got.Skipped {
		fmt.Fprintln(a.env.Stderr)
	}
	if err != nil {
		if lsync.IsOffline(err) {
			return i18n.Errorf("cli.downloads.resume", "Err", a.lang.Err(err))
		}
		return err
	}
	if a.json {
		return a.printJSON(struct {
			File    api.DownloadFile `json:"file"`
			Path    string           `json:"path"`
			SHA256  string           `json:"sha256_verified"`
			Skipped bool             `json:"already_complete"`
		}{df, dst, df.SHA256, got.Skipped})
	}
	if got.Skipped {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.downloads.complete", "Name", df.Name, "Path", dst))
		return nil
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.downloads.done", "Name", df.Name, "Size", words.Size(a.lang, df.Size), "Path", dst,
		"Took", a.env.Now().Sub(start).Round(time.Millisecond).String()))
	return nil
}

func cmdSupport(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "support "+sub)
	state := f.String("state", "", a.only("list", "cli.support.flag.state"))
	product := f.String("product", "", a.only("new", "cli.support.flag.product"))
	title := f.String("title", "", a.only("new", "cli.support.flag.title"))
	description := f.String("description", "", a.only("new", "cli.support.flag.description"))
	account := f.String("account", "", a.only("new, products", accountFlag))
	body := f.String("body", "", a.only("comment", "cli.support.flag.body"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	id := ""
	if len(pos) == 1 {
		id = pos[0]
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		rs, err := lsync.List[api.ServiceRequest](ctx, a.cache, api.KindRequest)
		if err != nil {
			return err
		}
		var shown []api.ServiceRequest
		for _, r := range rs {
			if *state == "" || r.State == *state {
				r.Comments = nil
				shown = append(shown, r)
			}
		}
		sort.SliceStable(shown, func(i, j int) bool { return shown[i].UpdatedAt.After(shown[j].UpdatedAt) })
		if a.json {
			return a.printJSON(nonNil(shown))
		}
		tw := a.table("cli.header.id", "cli.header.product", "cli.header.title", "cli.header.state", "cli.header.created",
			"cli.header.updated")
		for _, r := range shown {
			row(tw, r.ID, r.Product, r.Title, a.enum("request", r.State), a.date(r.CreatedAt), a.date(r.UpdatedAt))
		}
		return tw.Flush()
	case "show":
		if id == "" {
			return usage("cli.usage.line", "Usage", "licdesk support show ID")
		}
		if err := a.freshen(ctx); err != nil {
			return err
		}
		var r api.ServiceRequest
		found, err := a.cache.Get(ctx, api.KindRequest, id, &r)
		if err != nil {
			return err
		}
		if !found {
			return i18n.Errorf("cli.support.none", "ID", id)
		}
		if a.json {
			return a.printJSON(r)
		}
		w := a.env.Stdout
		field := a.fields("cli.support.product", "cli.support.state", "cli.support.opened", "cli.support.updated")
		fmt.Fprintf(w, "%s  %s\n", r.ID, words.Safe(r.Title))
		fmt.Fprintln(w, field("cli.support.product")+words.Safe(r.Product))
		fmt.Fprintln(w, field("cli.support.state")+a.enum("request", r.State))
		fmt.Fprintln(w, field("cli.support.opened")+a.lang.T("cli.support.opened_by", "Date", a.date(r.CreatedAt),
			"Who", words.Safe(words.OrDash(r.RequesterName))))
		fmt.Fprintln(w, field("cli.support.updated")+a.date(r.UpdatedAt))
		fmt.Fprintf(w, "\n%s\n", words.SafeText(r.Description))
		for _, c := range r.Comments {
			who := words.Safe(c.AuthorName)
			if c.AuthorEmail == "" {
				who = a.lang.T("cli.support.by_support", "Name", who)
			}
			fmt.Fprintf(w, "\n--- %s, %s\n%s\n", who, a.lang.DateTime(c.At.Local()), words.SafeText(c.Body))
		}
		return nil
	case "new":
		if *description == "-" {
			b, err := io.ReadAll(io.LimitReader(a.env.Stdin, 64<<10))
			if err != nil {
				return err
			}
			*description = string(b)
		}
		if err := need("product", *product, "title", *title, "description", *description); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := a.d.OpenServiceRequest(ctx, api.NewServiceRequest{AccountID: *account, Product: *product, Title: *title,
			Description: *description})
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderRequest("cli.support.opened_done"))
	case "comment":
		if *body == "-" {
			b, err := io.ReadAll(io.LimitReader(a.env.Stdin, 64<<10))
			if err != nil {
				return err
			}
			*body = string(b)
		}
		if id == "" {
			return usage("cli.usage.line", "Usage", "licdesk support comment ID --body TEXT")
		}
		if err := need("body", *body); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.CommentServiceRequest(id, *body)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderRequest("cli.support.commented_done"))
	case "close":
		if id == "" {
			return usage("cli.usage.line", "Usage", "licdesk support close ID")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.CloseServiceRequest(id)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderRequest("cli.support.closed_done"))
	case "products":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		id, err := a.account(ctx, *account)
		if err != nil {
			return err
		}
		ps, err := a.d.ChoosableProducts(ctx, id)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(nonNil(ps))
		}
		tw := a.table("cli.header.product")
		for _, p := range ps {
			row(tw, p)
		}
		return tw.Flush()
	}
	return a.want("support "+sub, "list", "show", "new", "comment", "close", "products")
}

// renderRequest prints a service request as the portal answered a write;
// done is the catalog key of what was done to it.
func (a *app) renderRequest(done string) func(json.RawMessage) error {
	return func(answer json.RawMessage) error {
		var r api.ServiceRequest
		if err := json.Unmarshal(answer, &r); err != nil {
			return i18n.Wrap(err, "cli.answer_bad")
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T(done, "ID", r.ID, "State", a.enum("request", r.State), "Title", words.Safe(r.Title)))
		return nil
	}
}

func cmdNews(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "news "+sub)
	product := f.String("product", "", a.lang.T("cli.news.flag.product"))
	onlyNew := f.Bool("new", false, a.only("list", "cli.news.flag.new"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		ps, err := lsync.List[api.ProductNews](ctx, a.cache, api.KindNews)
		if err != nil {
			return err
		}
		var items []api.NewsItem
		for _, p := range ps {
			if *product != "" && !strings.EqualFold(p.Product, *product) {
				continue
			}
			for _, it := range p.Items {
				if !*onlyNew || it.New {
					items = append(items, it)
				}
			}
		}
		sort.SliceStable(items, func(i, j int) bool { return items[i].PublishedAt.After(items[j].PublishedAt) })
		if a.json {
			return a.printJSON(nonNil(items))
		}
		tw := a.table("cli.header.date", "cli.header.product", "cli.header.severity", "cli.header.new", "cli.header.title")
		for _, it := range items {
			mark := ""
			if it.New {
				mark = a.lang.T("cli.news.new")
			}
			row(tw, a.date(it.PublishedAt), it.Product, a.enum("severity", it.Severity), words.OrDash(mark), it.Title)
		}
		return tw.Flush()
	case "read":
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		products := []string{*product}
		if *product == "" {
			ps, err := lsync.List[api.ProductNews](ctx, a.cache, api.KindNews)
			if err != nil {
				return err
			}
			products = nil
			for _, p := range ps {
				if p.NewCount > 0 {
					products = append(products, p.Product)
				}
			}
			if len(products) == 0 {
				if a.json {
					return a.printJSON([]writeOutcome{})
				}
				fmt.Fprintln(a.env.Stdout, a.lang.T("cli.news.none_new"))
				return nil
			}
		}
		var errs []error
		for _, p := range products {
			w, err := lsync.MarkNewsRead(p)
			if err != nil {
				return err
			}
			if err := a.submit(ctx, w, nil); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	case "subscribe", "unsubscribe":
		if err := need("product", *product); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.SubscribeNews(*product, sub == "subscribe")
		if err != nil {
			return err
		}
		return a.submit(ctx, w, nil)
	case "settings":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		ps, err := lsync.List[api.ProductNews](ctx, a.cache, api.KindNews)
		if err != nil {
			return err
		}
		type setting struct {
			Product    string `json:"product"`
			Subscribed bool   `json:"email_subscription"`
			NewCount   int    `json:"new"`
			RSS        string `json:"rss"`
		}
		var out []setting
		for _, p := range ps {
			if *product != "" && !strings.EqualFold(p.Product, *product) {
				continue
			}
			u, err := a.d.NewsFeedURL(ctx, p.Product)
			if err != nil {
				return err
			}
			out = append(out, setting{p.Product, p.Subscribed, p.NewCount, u})
		}
		if a.json {
			return a.printJSON(nonNil(out))
		}
		tw := a.table("cli.header.product", "cli.header.emails", "cli.header.new", "cli.header.rss")
		for _, s := range out {
			mails := a.onOff(s.Subscribed)
			row(tw, s.Product, mails, s.NewCount, s.RSS)
		}
		return tw.Flush()
	}
	return a.want("news "+sub, "list", "read", "settings", "subscribe", "unsubscribe")
}
