package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	lsync "github.com/licdesk/licdesk/sync"
)

// cmdIntegrations lists and sets the per-account product integrations of
// source 004: the product-integration and external-controller switches and
// each user's license switch.
func cmdIntegrations(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "integrations "+sub)
	account := f.String("account", "", "the account's ID or name (licdesk integrations list shows them)")
	product := f.String("product", "", "the product, as listed")
	integ := f.String("integration", "", "turn the product integration on or off")
	ctrl := f.String("controller", "", "turn the external controller on or off")
	email := f.String("email", "", "the user's e-mail")
	on := f.Bool("on", false, "give the user a license")
	off := f.Bool("off", false, "take the user's license back")
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := a.freshen(ctx); err != nil {
			return err
		}
		ins, err := a.cache.Integrations(ctx)
		if err != nil {
			return err
		}
		if *account != "" {
			id, err := a.d.ResolveAccount(ctx, *account)
			if err != nil {
				return err
			}
			ins = filterIntegrations(ins, func(v api.Integration) bool { return v.AccountID == id })
		}
		if a.json {
			return a.printJSON(ins)
		}
		return a.printIntegrations(ctx, ins)
	case "set":
		if err := need("account", *account, "product", *product); err != nil {
			return err
		}
		var sw api.IntegrationSwitches
		var err error
		if sw.ProductOn, err = onOffFlag("integration", *integ); err != nil {
			return err
		}
		if sw.ExternalController, err = onOffFlag("controller", *ctrl); err != nil {
			return err
		}
		if sw.ProductOn == nil && sw.ExternalController == nil {
			return usagef("give --integration on|off and/or --controller on|off")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		id, err := a.d.ResolveAccount(ctx, *account)
		if err != nil {
			return err
		}
		w, err := lsync.SetIntegration(id, *product, sw)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderIntegration)
	case "user":
		if err := need("account", *account, "product", *product, "email", *email); err != nil {
			return err
		}
		if *on == *off {
			return usagef("give exactly one of --on or --off")
		}
		if err := a.requireProfile(ctx); err != nil {
			return err
		}
		id, err := a.d.ResolveAccount(ctx, *account)
		if err != nil {
			return err
		}
		w, err := lsync.SetUserLicense(id, *product, *email, *on)
		if err != nil {
			return err
		}
		return a.submit(ctx, w, a.renderIntegration)
	}
	return usagef("integrations %s: want list, set or user", sub)
}

// onOffFlag reads an on|off flag; "" is not given.
func onOffFlag(name, v string) (*bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return nil, nil
	case "on", "true", "yes":
		b := true
		return &b, nil
	case "off", "false", "no":
		b := false
		return &b, nil
	}
	return nil, usagef("--%s wants on or off, not %q", name, v)
}

func filterIntegrations(in []api.Integration, keep func(api.Integration) bool) []api.Integration {
	out := []api.Integration{}
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// printIntegrations prints one row per user switch, under its account's
// switches; rows changed by writes in flight are starred.
func (a *app) printIntegrations(ctx context.Context, ins []api.Integration) error {
	names := map[string]string{}
	if ms, err := a.cache.Accounts(ctx); err == nil {
		for _, m := range ms {
			names[m.AccountID] = m.AccountName
		}
	}
	sort.SliceStable(ins, func(i, j int) bool {
		if ins[i].AccountID != ins[j].AccountID {
			return ins[i].AccountID < ins[j].AccountID
		}
		return ins[i].Product < ins[j].Product
	})
	pending := a.pendingTargets(ctx)
	tw := a.table("ACCOUNT", "PRODUCT", "INTEGRATION", "CONTROLLER", "FREE", "USER", "LICENSE")
	for _, v := range ins {
		acct := v.AccountID
		if n := names[acct]; n != "" {
			acct = n + " (" + acct + ")"
		}
		if pending[lsync.Ref{Kind: api.KindIntegration, ID: lsync.IntegrationID(v.AccountID, v.Product)}] {
			acct += " *"
		}
		if len(v.Users) == 0 {
			row(tw, acct, v.Product, onOffText(v.ProductOn), onOffText(v.ExternalController), v.FreeLicenses, "-", "-")
		}
		for _, u := range v.Users {
			row(tw, acct, v.Product, onOffText(v.ProductOn), onOffText(v.ExternalController), v.FreeLicenses, u.Email, u.State)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(pending) > 0 {
		fmt.Fprintln(a.env.Stdout, "* changed by writes not yet confirmed by the portal (licdesk status)")
	}
	return nil
}

func (a *app) renderIntegration(answer json.RawMessage) error {
	var v api.Integration
	if err := json.Unmarshal(answer, &v); err != nil {
		return fmt.Errorf("the portal's answer: %w", err)
	}
	fmt.Fprintf(a.env.Stdout, "done: %s · product integration %s · external controller %s · %d free\n",
		v.Product, onOffText(v.ProductOn), onOffText(v.ExternalController), v.FreeLicenses)
	tw := a.table("USER", "LICENSE")
	for _, u := range v.Users {
		row(tw, u.Email, u.State)
	}
	return tw.Flush()
}

func onOffText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
