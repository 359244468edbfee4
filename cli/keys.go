package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

func cmdKeys(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "keys "+sub)
	account := f.String("account", "", "the account (default: yours)")
	var reg api.Registration
	serial := f.String("serial", "", "get: the serial number")
	yes := f.Bool("yes", false, "get: confirm without asking")
	f.StringVar(&reg.Company, "company", "", "get: the registered company")
	f.StringVar(&reg.Person, "person", "", "get: the registered person")
	f.StringVar(&reg.Address, "address", "", "get: the company's address")
	f.StringVar(&reg.Country, "country", "", "get: the country (ISO code, e.g. BR)")
	f.StringVar(&reg.Email, "email", "", "get: the support e-mail (default: yours)")
	f.StringVar(&reg.Phone, "phone", "", "get: a phone number (optional)")
	notification := f.String("notification", "", "upgrade: the notification ID")
	product := f.String("product", "", "upgrade: the product to upgrade to")
	quantity := f.Int("quantity", 0, "upgrade: how many")
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
			return usagef("--quantity must be at least 1")
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
			return usagef("keys add KEY: give one key")
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
				return fmt.Errorf("the portal's answer: %w", err)
			}
			b, _ := json.Marshal(k.Key)
			return a.renderKey(b)
		})
	}
	return usagef("keys %s: want list, capacity, get, upgrade or add", sub)
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
	tw := a.table("KEY", "KIND", "PRODUCT", "EDITION", "CAPACITY", "ACTIVATIONS", "STATUS", "EXPIRES", "ACCOUNT")
	for _, k := range ks {
		exp := "perpetual"
		if k.Expiry != nil {
			exp = a.date(*k.Expiry)
		}
		row(tw, k.Key, k.Kind, k.Product, k.Edition, fmt.Sprintf("%d %s", k.Capacity, k.Unit),
			fmt.Sprintf("%d/%d", k.ActiveActivations, k.MaxActivations), k.Status, exp, words.OrDash(k.AccountName))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	caps, err := a.d.Capacity(ctx)
	if err != nil {
		return err
	}
	for _, c := range caps {
		fmt.Fprintf(a.env.Stdout, "capacity of %s: %d %s over %d active keys\n", c.Product, c.Total, c.Unit, c.Grants)
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
	tw := a.table("PRODUCT", "CAPACITY", "UNIT", "ACTIVE KEYS")
	for _, c := range caps {
		row(tw, c.Product, c.Total, c.Unit, c.Grants)
	}
	return tw.Flush()
}

// previewKey shows what a serial would yield and asks for confirmation on
// a terminal; elsewhere --yes is needed.
func (a *app) previewKey(ctx context.Context, w lsync.Write) error {
	if a.offline {
		return usagef("the portal previews a serial before issuing its key: drop --offline, or add --yes to queue the request")
	}
	var req api.GetKeyRequest
	if err := json.Unmarshal(w.Body, &req); err != nil {
		return err
	}
	req.Confirm = false
	p, err := a.d.PreviewKey(ctx, req)
	if err != nil {
		if lsync.IsOffline(err) {
			return fmt.Errorf("%s: add --yes to queue the request without a preview", err)
		}
		return err
	}
	out := a.env.Stderr
	fmt.Fprintf(out, "serial %s gives a %s key for %s %s (%s), %d %s, up to %d activations, for %s (%s)\n",
		p.Serial, p.Kind, p.Product, p.Edition, strings.Join(p.Modules, ", "), p.Capacity, p.Unit, p.Activations,
		p.AccountName, p.AccountID)
	if !a.env.StdinTerminal {
		return usagef("confirm with --yes (no terminal to ask on)")
	}
	fmt.Fprint(out, "Get this key? [y/N] ")
	line, err := readLine(a.env.Stdin)
	if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y") {
		return fmt.Errorf("not confirmed: nothing was asked of the portal")
	}
	return nil
}

// renderKey prints a key as the portal answered it.
func (a *app) renderKey(answer json.RawMessage) error {
	var k api.Key
	if err := json.Unmarshal(answer, &k); err != nil {
		return fmt.Errorf("the portal's answer: %w", err)
	}
	fmt.Fprintf(a.env.Stdout, "done: %s key %s for %s %s, %d %s, up to %d activations\n",
		k.Kind, k.Key, k.Product, k.Edition, k.Capacity, k.Unit, k.MaxActivations)
	return nil
}

// keysNotices lists the upgrade notifications the user's accounts may
// exchange (keys upgrade --notification takes their IDs).
func keysNotices(ctx context.Context, a *app) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return usagef("the upgrade notifications are the portal's: drop --offline")
	}
	ns, err := a.d.UpgradeNotices(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(nonNil(ns))
	}
	if len(ns) == 0 {
		fmt.Fprintln(a.env.Stdout, "no upgrade notification waits in your accounts")
		return nil
	}
	tw := a.table("NOTIFICATION", "PRODUCTS", "UP TO", "ACCOUNT", "SENT")
	for _, n := range ns {
		row(tw, n.ID, strings.Join(n.Products, ", "), n.MaxQuantity, n.AccountName, a.date(n.SentAt))
	}
	return tw.Flush()
}
