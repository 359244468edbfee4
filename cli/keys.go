package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

func cmdKeys(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "keys "+sub)
	account := f.String("account", "", a.lang.T("cli.keys.flag.account"))
	var reg api.Registration
	serial := f.String("serial", "", a.only("get", "cli.keys.flag.serial"))
	yes := f.Bool("yes", false, a.only("get", "cli.flag.yes"))
	f.StringVar(&reg.Company, "company", "", a.only("get", "cli.keys.flag.company"))
	f.StringVar(&reg.Person, "person", "", a.only("get", "cli.keys.flag.person"))
	f.StringVar(&reg.Address, "address", "", a.only("get", "cli.keys.flag.address"))
	f.StringVar(&reg.Country, "country", "", a.only("get", "cli.keys.flag.country"))
	f.StringVar(&reg.Email, "email", "", a.only("get", "cli.keys.flag.email"))
	f.StringVar(&reg.Phone, "phone", "", a.only("get", "cli.keys.flag.phone"))
	notification := f.String("notification", "", a.only("upgrade", "cli.keys.flag.notification"))
	product := f.String("product", "", a.only("upgrade", "cli.keys.flag.product"))
	quantity := f.Int("quantity", 0, a.only("upgrade", "cli.keys.flag.quantity"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return keysList(ctx, a)
	case "capacity":
		return keysCapacity(ctx, a)
	case "notices":
		return keysNotices(ctx, a)
	case "get":
		if *serial == "" && len(pos) == 1 {
			*serial = pos[0]
		}
		if err := need("serial", *serial, "company", reg.Company, "person", reg.Person, "address", reg.Address,
			"country", reg.Country); err != nil {
			return err
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		if reg.Email == "" {
			reg.Email = a.session(ctx).Email
		}
		req := api.GetKeyRequest{Serial: *serial, Registration: reg, AccountID: *account}
		w, err := lsync.GetKey(req)
		if err != nil {
			return err
		}
		if !*yes {
			if err := a.previewKey(ctx, w); err != nil {
				return err
			}
		}
		return a.submit(ctx, w, a.renderKey)
	case "upgrade":
		if err := need("notification", *notification, "product", *product); err != nil {
			return err
		}
		if *quantity < 1 {
			return usage("cli.keys.quantity")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.UpgradeKey(api.UpgradeKeyRequest{NotificationID: *notification, Product: *product, Quantity: *quantity})
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderKey)
	case "add":
		if len(pos) != 1 {
			return usage("cli.keys.add_one")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		w, err := lsync.AddKey(pos[0], *account)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, func(answer json.RawMessage) error {
			var k api.AddedKey
			if err := json.Unmarshal(answer, &k); err != nil {
				return i18n.Wrap(err, "cli.answer_bad")
			}
			b, _ := json.Marshal(k.Key)
			return a.renderKey(b)
		})
	}
	return a.want("keys "+sub, "list", "capacity", "notices", "get", "upgrade", "add")
}

func keysList(ctx context.Context, a *app) error {
	if err := a.freshen(ctx); err != nil {
		return err
	}
	if a.json {
		return a.cache.WriteJSONArray(ctx, api.KindKey, a.env.Stdout)
	}
	ks, err := lsync.List[api.Key](ctx, a.cache, api.KindKey)
	if err != nil {
		return err
	}
	tw := a.table("cli.header.key", "cli.header.kind", "cli.header.product", "cli.header.edition", "cli.header.capacity",
		"cli.header.activations", "cli.header.status", "cli.header.expires", "cli.header.account")
	for _, k := range ks {
		exp := a.lang.T("cli.keys.perpetual")
		if k.Expiry != nil {
			exp = a.date(*k.Expiry)
		}
		row(tw, k.Key, a.enum("key", k.Kind), k.Product, a.enum("edition", k.Edition), a.lang.Number(k.Capacity)+" "+k.Unit,
			fmt.Sprintf("%d/%d", k.ActiveActivations, k.MaxActivations), a.enum("keystatus", k.Status), exp, words.OrDash(k.AccountName))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	caps, err := a.d.Capacity(ctx)
	if err != nil {
		return err
	}
	for _, c := range caps {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.keys.capacity", "Product", c.Product, "Total", a.lang.Number(c.Total),
			"Unit", c.Unit, "Keys", a.lang.N("cli.keys.active_keys", c.Grants)))
	}
	return nil
}

// keysCapacity is source 002's first figure: per product, the capacity
// summed over the keys that are activated and not expired.
func keysCapacity(ctx context.Context, a *app) error {
	if err := a.freshen(ctx); err != nil {
		return err
	}
	caps, err := a.d.Capacity(ctx)
	if err != nil {
		return err
	}
	if a.json {
		type capOut struct {
			Product string `json:"product"`
			Unit    string `json:"unit"`
			Total   int    `json:"total"`
			Keys    int    `json:"keys"`
		}
		out := make([]capOut, len(caps))
		for i, c := range caps {
			out[i] = capOut{c.Product, c.Unit, c.Total, c.Grants}
		}
		return a.printJSON(out)
	}
	tw := a.table("cli.header.product", "cli.header.capacity", "cli.header.unit", "cli.header.active_keys")
	for _, c := range caps {
		row(tw, c.Product, c.Total, c.Unit, c.Grants)
	}
	return tw.Flush()
}

// previewKey shows what a serial would yield and asks for confirmation on
// a terminal; elsewhere --yes is needed.
func (a *app) previewKey(ctx context.Context, w lsync.Write) error {
	if a.offline {
		return usage("cli.keys.preview_offline")
	}
	var req api.GetKeyRequest
	if err := json.Unmarshal(w.Body, &req); err != nil {
		return err
	}
	req.Confirm = false
	p, err := a.d.PreviewKey(ctx, req)
	if err != nil {
		if lsync.IsOffline(err) {
			return i18n.Errorf("cli.keys.preview_unreachable", "Err", a.lang.Err(err))
		}
		return err
	}
	out := a.env.Stderr
	fmt.Fprintln(out, a.lang.T("cli.keys.preview", "Serial", p.Serial, "Kind", a.keyKind(p.Kind), "Product", p.Product,
		"Edition", a.enum("edition", p.Edition), "Modules", strings.Join(p.Modules, ", "), "Capacity", a.lang.Number(p.Capacity), "Unit", p.Unit,
		"Activations", a.lang.Number(p.Activations), "Account", p.AccountName, "ID", p.AccountID))
	if !a.env.StdinTerminal {
		return usage("cli.confirm_with_yes")
	}
	fmt.Fprint(out, a.lang.T("cli.keys.confirm")+" ")
	line, err := readLine(a.env.Stdin)
	if err != nil || !a.yes(line) {
		return i18n.Errorf("cli.keys.not_confirmed")
	}
	return nil
}

// renderKey prints a key as the portal answered it.
func (a *app) renderKey(answer json.RawMessage) error {
	var k api.Key
	if err := json.Unmarshal(answer, &k); err != nil {
		return i18n.Wrap(err, "cli.answer_bad")
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.keys.done", "Kind", a.keyKind(k.Kind), "Key", k.Key, "Product", k.Product,
		"Edition", a.enum("edition", k.Edition), "Capacity", a.lang.Number(k.Capacity), "Unit", k.Unit, "Activations", a.lang.Number(k.MaxActivations)))
	return nil
}

// keysNotices lists the upgrade notifications the user's accounts may
// exchange (keys upgrade --notification takes their IDs).
func keysNotices(ctx context.Context, a *app) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return usage("cli.keys.notices_offline")
	}
	ns, err := a.d.UpgradeNotices(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(nonNil(ns))
	}
	if len(ns) == 0 {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.keys.no_notices"))
		return nil
	}
	tw := a.table("cli.header.notification", "cli.header.products", "cli.header.up_to", "cli.header.account", "cli.header.sent")
	for _, n := range ns {
		row(tw, n.ID, strings.Join(n.Products, ", "), n.MaxQuantity, n.AccountName, a.date(n.SentAt))
	}
	return tw.Flush()
}

// keyKind is a key's kind in a sentence ("license", "install"): the
// value in English, the catalog's word elsewhere.
func (a *app) keyKind(kind string) string {
	if a.lang.Tag() == i18n.English().Tag() {
		return kind
	}
	return a.lang.T("cli.keys.kind." + kind)
}

// yes reports whether an answer to a [y/N] question is yes, in English or
// in the language's own word ("s" for sim/sí, "o" for oui).
func (a *app) yes(line string) bool {
	line = strings.ToLower(strings.TrimSpace(line))
	if line == "" {
		return false
	}
	return strings.HasPrefix(line, "y") || strings.HasPrefix(line, strings.ToLower(a.lang.T("cli.yes_letter")))
}
