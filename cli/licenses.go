package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// solutionRow is what the solutions table needs of a license; decoding
// into it skips the seats.
type solutionRow struct {
	LicenseID     string   `json:"license_id"`
	OwnerName     string   `json:"owner_name"`
	Product       string   `json:"product"`
	Edition       string   `json:"edition"`
	Modules       []string `json:"modules"`
	Contract      string   `json:"contract_number"`
	Start         string   `json:"contract_start"`
	Renewal       string   `json:"auto_renewal"`
	Contracted    int      `json:"seats_contracted"`
	Others        int      `json:"seats_assigned_to_others"`
	Available     int      `json:"seats_available"`
	Expiry        string   `json:"expiry"`
	LicenseStatus string   `json:"license_status"`
	Action        string   `json:"action"`
}

func cmdSolutions(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "solutions")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.freshen(ctx); err != nil {
		return err
	}
	if a.json {
		// The portal's own objects, straight from the cache.
		return a.cache.WriteJSONArray(ctx, api.KindSolution, a.env.Stdout)
	}
	var rows []solutionRow
	err := a.cache.Each(ctx, api.KindSolution, func(id string, data []byte) error {
		var r solutionRow
		if err := json.Unmarshal(data, &r); err != nil {
			return i18n.Wrap(err, "cli.solutions.cached_bad", "ID", id)
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Product != rows[j].Product {
			return rows[i].Product < rows[j].Product
		}
		return rows[i].OwnerName < rows[j].OwnerName
	})
	pending := a.pendingTargets(ctx)
	tw := a.table("cli.header.license", "cli.header.product", "cli.header.edition", "cli.header.modules", "cli.header.owner",
		"cli.header.contract", "cli.header.start", "cli.header.renewal", "cli.header.seats", "cli.header.to_others",
		"cli.header.available", "cli.header.expires", "cli.header.status", "cli.header.action")
	for _, r := range rows {
		mark := ""
		if pending[lsync.Ref{Kind: api.KindSolution, ID: r.LicenseID}] {
			mark = " *"
		}
		row(tw, r.LicenseID+mark, r.Product, a.enum("edition", r.Edition), words.OrDash(strings.Join(r.Modules, ", ")), r.OwnerName,
			words.OrDash(r.Contract), a.jsonDay(r.Start), a.jsonDay(r.Renewal), r.Contracted, r.Others, r.Available,
			a.jsonDay(r.Expiry), words.OrDash(a.enum("license", r.LicenseStatus)), words.OrDash(a.action(r.Action)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(pending) > 0 {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.solutions.pending_mark"))
	}
	return nil
}

// pendingTargets are the objects changed by writes the portal has not yet
// confirmed, to mark them in tables.
func (a *app) pendingTargets(ctx context.Context) map[lsync.Ref]bool {
	out := map[lsync.Ref]bool{}
	es, err := a.cache.Entries(ctx, lsync.Pending)
	if err != nil {
		return out
	}
	for _, e := range es {
		for _, r := range e.Write.Targets {
			out[r] = true
		}
	}
	return out
}

func cmdSeats(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "seats "+sub)
	license := f.String("license", "", a.lang.T("cli.seats.flag.license"))
	email := f.String("email", "", a.lang.T("cli.seats.flag.email"))
	to := f.String("to", "", a.only("reassign", "cli.seats.flag.to"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := need("license", *license); err != nil {
			return err
		}
		return seatsList(ctx, a, *license)
	case "assign", "remove":
		if err := need("license", *license, "email", *email); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.AssignSeat(*license, *email)
		if sub == "remove" {
			w, err = lsync.RemoveSeat(*license, *email)
		}
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderSolution)
	case "reassign":
		if err := need("license", *license, "email", *email, "to", *to); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.ReassignSeat(*license, *email, *to)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderSolution)
	}
	return a.want("seats "+sub, "list", "assign", "remove", "reassign")
}

func seatsList(ctx context.Context, a *app, license string) error {
	if err := a.freshen(ctx); err != nil {
		return err
	}
	var s api.Solution
	found, err := a.cache.Get(ctx, api.KindSolution, license, &s)
	if err != nil {
		return err
	}
	if !found {
		return i18n.Errorf("cli.seats.not_found", "License", license)
	}
	if a.json {
		return a.printJSON(s.Seats)
	}
	a.printSeats(s)
	return nil
}

func (a *app) printSeats(s api.Solution) {
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.seats.summary", "License", s.LicenseID, "Product", s.Product,
		"Edition", a.enum("edition", s.Edition), "Owner", s.OwnerName, "Seats", a.lang.N("cli.seats.count", s.Contracted),
		"Others", a.lang.Number(s.AssignedOthers), "Available", a.lang.Number(s.Available)))
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.seats.terms", "Modules", words.OrDash(strings.Join(s.Modules, ", ")),
		"Contract", words.OrDash(s.ContractNumber), "Start", a.date(s.ContractStart),
		"Renewal", a.date(s.AutoRenewal), "Support", a.date(s.SupportEnd)))
	tw := a.table("cli.header.seat", "cli.header.state", "cli.header.email")
	for _, seat := range s.Seats {
		row(tw, seat.ID, a.enum("seat", seat.State), words.OrDash(seat.Email))
	}
	tw.Flush()
}

// renderSolution prints a license as the portal answered a seat write.
func (a *app) renderSolution(answer json.RawMessage) error {
	var s api.Solution
	if err := json.Unmarshal(answer, &s); err != nil {
		return i18n.Wrap(err, "cli.answer_bad")
	}
	fmt.Fprint(a.env.Stdout, a.lang.T("cli.submit.done_prefix")+" ")
	a.printSeats(s)
	return nil
}

func cmdAssigned(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "assigned")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.freshen(ctx); err != nil {
		return err
	}
	if a.json {
		return a.cache.WriteJSONArray(ctx, api.KindAssigned, a.env.Stdout)
	}
	ps, err := a.cache.Assigned(ctx)
	if err != nil {
		return err
	}
	tw := a.table("cli.header.product", "cli.header.license", "cli.header.owner", "cli.header.edition", "cli.header.modules",
		"cli.header.expires", "cli.header.seat", "cli.header.runs_with")
	for _, p := range ps {
		for _, l := range p.Licenses {
			runs := ""
			switch {
			case l.Adopted:
				runs = a.lang.T("cli.runs.adopted")
			case l.LicenseID == p.Effective:
				runs = a.lang.T("cli.runs.default")
			}
			row(tw, p.Product, l.LicenseID, l.OwnerName, a.enum("edition", l.Edition), words.OrDash(strings.Join(l.Modules, ", ")), a.date(l.Expiry),
				a.enum("seat", l.State), words.OrDash(runs))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// What asks for attention: a subscription ending, or the offline
	// countdown of the license a product runs with.
	for _, p := range ps {
		if s, ok := a.d.Countdown(ctx, p.Product); ok {
			if line := a.countdownLine(s, a.env.Now()); line != "" {
				fmt.Fprintln(a.env.Stdout, a.lang.T("cli.note", "Text", line))
			}
		}
	}
	return nil
}

func cmdAdopt(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "adopt")
	license := f.String("license", "", a.lang.T("cli.adopt.flag.license"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *license == "" && len(pos) == 1 {
		*license = pos[0]
	}
	if err := need("license", *license); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	product, err := a.cache.AssignedProductOf(ctx, *license)
	if err != nil {
		return err
	}
	w, err := lsync.Adopt(product, *license)
	if err != nil {
		return err
	}
	return a.submit(ctx, w, func(answer json.RawMessage) error {
		var p api.AssignedProduct
		if err := json.Unmarshal(answer, &p); err != nil {
			return i18n.Wrap(err, "cli.answer_bad")
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.adopt.done", "Product", p.Product, "License", p.Effective,
			"Adoption", a.enum("adoption", p.Adoption)))
		return nil
	})
}

func cmdOrders(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "orders "+sub)
	order := f.String("order", "", a.lang.T("cli.orders.flag.order"))
	account := f.String("account", "", a.only("assign", "cli.orders.flag.account"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		if a.json {
			return a.cache.WriteJSONArray(ctx, api.KindOrder, a.env.Stdout)
		}
		os, err := a.cache.Orders(ctx)
		if err != nil {
			return err
		}
		tw := a.table("cli.header.order", "cli.header.product", "cli.header.edition", "cli.header.quantity",
			"cli.header.created", "cli.header.partner", "cli.header.assigned_to")
		for _, o := range os {
			to := o.AssignedToName
			if to == "" {
				to = o.AssignedTo
			}
			row(tw, o.ID, o.Product, a.enum("edition", o.Edition), o.Quantity, a.date(o.CreatedAt), words.OrDash(o.PartnerName), words.OrDash(to))
		}
		return tw.Flush()
	case "assign":
		if err := need("order", *order, "account", *account); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := a.d.AssignOrder(ctx, *order, *account)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, func(answer json.RawMessage) error {
			var o api.Order
			if err := json.Unmarshal(answer, &o); err != nil {
				return i18n.Wrap(err, "cli.answer_bad")
			}
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.orders.done", "Order", o.ID, "Quantity", a.lang.Number(o.Quantity),
				"Product", o.Product, "Account", words.OrDash(o.AssignedToName)))
			return nil
		})
	}
	return a.want("orders "+sub, "list", "assign")
}

func cmdProducts(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "products "+sub)
	number := f.String("number", "", a.lang.T("cli.products.flag.number"))
	account := f.String("account", "", a.lang.T("cli.products.flag.account"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		ps, err := a.d.Products(ctx)
		if err != nil {
			return err
		}
		if a.json {
			type productOut struct {
				api.Product
				SupportStatus string `json:"support_status,omitempty"`
				LicenseStatus string `json:"license_status,omitempty"`
				Action        string `json:"action,omitempty"`
			}
			out := make([]productOut, len(ps))
			for i, p := range ps {
				out[i] = productOut{p.Product, p.SupportStatus, p.LicenseStatus, p.Action}
			}
			return a.printJSON(out)
		}
		names := a.accountNames(ctx)
		tw := a.table("cli.header.product", "cli.header.account", "cli.header.support", "cli.header.license",
			"cli.header.action", "cli.header.source", "cli.header.registered", "cli.header.license_numbers")
		for _, p := range ps {
			var nums []string
			for _, l := range p.Licenses {
				nums = append(nums, l.Number)
			}
			acct := names[p.AccountID]
			if acct == "" {
				acct = p.AccountID
			}
			row(tw, p.Product.Product, acct, words.OrDash(a.enum("support", p.SupportStatus)),
				words.OrDash(a.enum("license", p.LicenseStatus)), words.OrDash(a.action(p.Action)),
				a.enum("source", p.Source), a.date(p.RegisteredAt), words.OrDash(strings.Join(nums, ", ")))
		}
		return tw.Flush()
	case "register":
		if err := need("number", *number); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := a.d.RegisterProduct(ctx, *number, *account)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, func(answer json.RawMessage) error {
			var p api.Product
			if err := json.Unmarshal(answer, &p); err != nil {
				return i18n.Wrap(err, "cli.answer_bad")
			}
			acct := a.accountNames(ctx)[p.AccountID]
			if acct == "" {
				acct = p.AccountID
			}
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.products.done", "Product", p.Product, "Account", acct))
			return nil
		})
	}
	return a.want("products "+sub, "list", "register")
}

// accountNames maps the account IDs the user can name to their names, so
// that tables show names rather than internal IDs.
func (a *app) accountNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	cs, err := a.d.AccountChoices(ctx)
	if err != nil {
		return out
	}
	for _, c := range cs {
		out[c.ID] = c.Name
	}
	return out
}
