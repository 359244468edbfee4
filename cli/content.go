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
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

func cmdDownloads(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "downloads "+sub)
	product := f.String("product", "", "list: only this product's files")
	history := f.Bool("history", false, "list: only files you downloaded in the last two years")
	file := f.String("file", "", "get: the file ID (downloads list shows them)")
	outDir := f.String("out", ".", "get: the folder to save into")
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
		tw := a.table("FILE", "PRODUCT", "NAME", "VERSION", "RELEASED", "SIZE", "DOWNLOADED", "NEWER")
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
	return usagef("downloads %s: want list or get", sub)
}

func (a *app) download(ctx context.Context, id, outDir string) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return usagef("a download needs the portal: drop --offline")
	}
	df, err := a.d.FindDownload(ctx, id)
	var nd *desk.NoDownloadError
	if errors.As(err, &nd) {
		return fmt.Errorf("no download %s (licdesk downloads list shows them)", id)
	}
	if err != nil {
		return err
	}
	var progress lsync.Progress
	if a.env.StderrTerminal && !a.json {
		progress = func(done, total int64) {
			if total > 0 {
				fmt.Fprintf(a.env.Stderr, "\r%s  %3d%%  %s of %s ", df.Name, done*100/total, words.Size(a.lang, done), words.Size(a.lang, total))
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
			return fmt.Errorf("%s: run the same command again to resume", err)
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
		fmt.Fprintf(a.env.Stdout, "%s is already complete in %s (SHA-256 verified): nothing downloaded\n", df.Name, dst)
		return nil
	}
	fmt.Fprintf(a.env.Stdout, "downloaded %s (%s, SHA-256 verified) to %s in %s\n", df.Name, words.Size(a.lang, df.Size), dst,
		a.env.Now().Sub(start).Round(time.Millisecond))
	return nil
}

func cmdSupport(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "support "+sub)
	state := f.String("state", "", "list: only requests in this state (open, in_progress, waiting, closed)")
	product := f.String("product", "", "new: the product")
	title := f.String("title", "", "new: the title")
	description := f.String("description", "", "new: what happened (- reads standard input)")
	account := f.String("account", "", "new, products: the account, by name or ID (default: yours)")
	body := f.String("body", "", "comment: the comment (- reads standard input)")
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
		tw := a.table("ID", "PRODUCT", "TITLE", "STATE", "CREATED", "UPDATED")
		for _, r := range shown {
			row(tw, r.ID, r.Product, r.Title, r.State, a.date(r.CreatedAt), a.date(r.UpdatedAt))
		}
		return tw.Flush()
	case "show":
		if id == "" {
			return usagef("support show ID")
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
			return fmt.Errorf("no service request %s (licdesk support list shows them)", id)
		}
		if a.json {
			return a.printJSON(r)
		}
		w := a.env.Stdout
		fmt.Fprintf(w, "%s  %s\nproduct: %s\nstate:   %s\nopened:  %s by %s\nupdated: %s\n\n%s\n",
			r.ID, words.Safe(r.Title), words.Safe(r.Product), r.State, a.date(r.CreatedAt), words.Safe(words.OrDash(r.RequesterName)),
			a.date(r.UpdatedAt), words.SafeText(r.Description))
		for _, c := range r.Comments {
			who := c.AuthorName
			if c.AuthorEmail == "" {
				who += " (support)"
			}
			fmt.Fprintf(w, "\n--- %s, %s\n%s\n", words.Safe(who), c.At.Local().Format("2006-01-02 15:04"), words.SafeText(c.Body))
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
		return a.submit(ctx, w, a.renderRequest("opened"))
	case "comment":
		if *body == "-" {
			b, err := io.ReadAll(io.LimitReader(a.env.Stdin, 64<<10))
			if err != nil {
				return err
			}
			*body = string(b)
		}
		if id == "" {
			return usagef("support comment ID --body TEXT")
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
		return a.submit(ctx, w, a.renderRequest("commented on"))
	case "close":
		if id == "" {
			return usagef("support close ID")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.CloseServiceRequest(id)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderRequest("closed"))
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
		tw := a.table("PRODUCT")
		for _, p := range ps {
			row(tw, p)
		}
		return tw.Flush()
	}
	return usagef("support %s: want list, show, new, comment, close or products", sub)
}

func (a *app) renderRequest(verb string) func(json.RawMessage) error {
	return func(answer json.RawMessage) error {
		var r api.ServiceRequest
		if err := json.Unmarshal(answer, &r); err != nil {
			return fmt.Errorf("the portal's answer: %w", err)
		}
		fmt.Fprintf(a.env.Stdout, "done: %s %s (%s): %s\n", verb, r.ID, r.State, r.Title)
		return nil
	}
}

func cmdNews(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "news "+sub)
	product := f.String("product", "", "the product (read: default every product with new items)")
	onlyNew := f.Bool("new", false, "list: only items new since your last visit")
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
		tw := a.table("DATE", "PRODUCT", "SEVERITY", "NEW", "TITLE")
		for _, it := range items {
			mark := ""
			if it.New {
				mark = "new"
			}
			row(tw, a.date(it.PublishedAt), it.Product, it.Severity, words.OrDash(mark), it.Title)
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
				fmt.Fprintln(a.env.Stdout, "no new news")
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
		tw := a.table("PRODUCT", "E-MAILS", "NEW", "RSS FEED")
		for _, s := range out {
			mails := "off"
			if s.Subscribed {
				mails = "on"
			}
			row(tw, s.Product, mails, s.NewCount, s.RSS)
		}
		return tw.Flush()
	}
	return usagef("news %s: want list, read, settings, subscribe or unsubscribe", sub)
}
