package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
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
			return fmt.Errorf("cached license %s: %w", id, err)
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
	tw := a.table("LICENSE", "PRODUCT", "EDITION", "MODULES", "OWNER", "CONTRACT", "START", "RENEWAL", "SEATS", "TO OTHERS",
		"AVAILABLE", "EXPIRES", "STATUS", "ACTION")
	for _, r := range rows {
		mark := ""
		if pending[lsync.Ref{Kind: api.KindSolution, ID: r.LicenseID}] {
			mark = " *"
		}
		row(tw, r.LicenseID+mark, r.Product, r.Edition, words.OrDash(strings.Join(r.Modules, ", ")), r.OwnerName,
			words.OrDash(r.Contract), jsonDay(r.Start), jsonDay(r.Renewal), r.Contracted, r.Others, r.Available,
			jsonDay(r.Expiry), words.OrDash(r.LicenseStatus), words.OrDash(r.Action))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(pending) > 0 {
		fmt.Fprintln(a.env.Stdout, "* changed by writes not yet confirmed by the portal (licdesk status)")
	}
	return nil
}

// jsonDay keeps the date of a JSON time ("-" for none).
func jsonDay(s string) string {
	if len(s) < 10 || strings.HasPrefix(s, "0001-01-01") {
		return "-"
	}
	return s[:10]
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
	license := f.String("license", "", "the license ID (licdesk solutions lists them)")
	email := f.String("email", "", "the e-mail of the seat's holder")
	to := f.String("to", "", "reassign: the e-mail the seat moves to")
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
	return usagef("seats %s: want list, assign, remove or reassign", sub)
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
		return fmt.Errorf("no license %s among your active solutions (licdesk solutions lists them)", license)
	}
	if a.json {
		return a.printJSON(s.Seats)
	}
	a.printSeats(s)
	return nil
}

func (a *app) printSeats(s api.Solution) {
	fmt.Fprintf(a.env.Stdout, "%s %s %s, %s: %d seats, %d assigned to others, %d available\n",
		s.LicenseID, s.Product, s.Edition, s.OwnerName, s.Contracted, s.AssignedOthers, s.Available)
	fmt.Fprintf(a.env.Stdout, "modules: %s; contract %s from %s, renewal %s, support until %s\n",
		words.OrDash(strings.Join(s.Modules, ", ")), words.OrDash(s.ContractNumber), date(s.ContractStart),
		date(s.AutoRenewal), date(s.SupportEnd))
	tw := a.table("SEAT", "STATE", "E-MAIL")
	for _, seat := range s.Seats {
		row(tw, seat.ID, seat.State, words.OrDash(seat.Email))
	}
	tw.Flush()
}

// renderSolution prints a license as the portal answered a seat write.
func (a *app) renderSolution(answer json.RawMessage) error {
	var s api.Solution
	if err := json.Unmarshal(answer, &s); err != nil {
		return fmt.Errorf("the portal's answer: %w", err)
	}
	fmt.Fprint(a.env.Stdout, "done: ")
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
	tw := a.table("PRODUCT", "LICENSE", "OWNER", "EDITION", "MODULES", "EXPIRES", "SEAT", "RUNS WITH")
	for _, p := range ps {
		for _, l := range p.Licenses {
			runs := ""
			switch {
			case l.Adopted:
				runs = "this (adopted)"
			case l.LicenseID == p.Effective:
				runs = "this (default)"
			}
			row(tw, p.Product, l.LicenseID, l.OwnerName, l.Edition, words.OrDash(strings.Join(l.Modules, ", ")), date(l.Expiry), l.State, words.OrDash(runs))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// What asks for attention: a subscription ending, or the offline
	// countdown of the license a product runs with.
	for _, p := range ps {
		if s, ok := a.d.Countdown(ctx, p.Product); ok {
			if line := countdownLine(s, a.env.Now()); line != "" {
				fmt.Fprintln(a.env.Stdout, "note: "+line)
			}
		}
	}
	return nil
}

func cmdAdopt(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "adopt")
	license := f.String("license", "", "the license to run the product with (licdesk assigned lists them)")
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
			return fmt.Errorf("the portal's answer: %w", err)
		}
		fmt.Fprintf(a.env.Stdout, "done: %s now runs with license %s (%s)\n", p.Product, p.Effective, p.Adoption)
		return nil
	})
}

func cmdOrders(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "orders "+sub)
	order := f.String("order", "", "the order ID (licdesk orders list shows them)")
	account := f.String("account", "", "assign: the customer's account, by name or ID")
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
		tw := a.table("ORDER", "PRODUCT", "EDITION", "QUANTITY", "CREATED", "PARTNER", "ASSIGNED TO")
		for _, o := range os {
			to := o.AssignedToName
			if to == "" {
				to = o.AssignedTo
			}
			row(tw, o.ID, o.Product, o.Edition, o.Quantity, date(o.CreatedAt), words.OrDash(o.PartnerName), words.OrDash(to))
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
				return fmt.Errorf("the portal's answer: %w", err)
			}
			fmt.Fprintf(a.env.Stdout, "done: order %s (%d × %s) now belongs to %s\n", o.ID, o.Quantity, o.Product,
				words.OrDash(o.AssignedToName))
			return nil
		})
	}
	return usagef("orders %s: want list or assign", sub)
}

func cmdProducts(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "products "+sub)
	number := f.String("number", "", "a license number of the product")
	account := f.String("account", "", "the account, by name or ID (default: the license's, or yours)")
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
		tw := a.table("PRODUCT", "ACCOUNT", "SUPPORT", "LICENSE", "ACTION", "SOURCE", "REGISTERED", "LICENSE NUMBERS")
		for _, p := range ps {
			var nums []string
			for _, l := range p.Licenses {
				nums = append(nums, l.Number)
			}
			acct := names[p.AccountID]
			if acct == "" {
				acct = p.AccountID
			}
			row(tw, p.Product.Product, acct, words.OrDash(p.SupportStatus), words.OrDash(p.LicenseStatus), words.OrDash(p.Action),
				p.Source, date(p.RegisteredAt), words.OrDash(strings.Join(nums, ", ")))
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
				return fmt.Errorf("the portal's answer: %w", err)
			}
			acct := a.accountNames(ctx)[p.AccountID]
			if acct == "" {
				acct = p.AccountID
			}
			fmt.Fprintf(a.env.Stdout, "done: %s is registered to %s\n", p.Product, acct)
			return nil
		})
	}
	return usagef("products %s: want list or register", sub)
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
