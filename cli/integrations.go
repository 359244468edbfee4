package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// cmdIntegrations lists and sets the per-account product integrations of
// source 004: the product-integration and external-controller switches and
// each user's license switch.
func cmdIntegrations(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "integrations "+sub)
	account := f.String("account", "", a.lang.T("cli.integrations.flag.account"))
	product := f.String("product", "", a.lang.T("cli.integrations.flag.product"))
	integ := f.String("integration", "", a.lang.T("cli.integrations.flag.integration"))
	ctrl := f.String("controller", "", a.lang.T("cli.integrations.flag.controller"))
	email := f.String("email", "", a.lang.T("cli.integrations.flag.email"))
	on := f.Bool("on", false, a.lang.T("cli.integrations.flag.on"))
	off := f.Bool("off", false, a.lang.T("cli.integrations.flag.off"))
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
			return usage("cli.integrations.which")
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
			return usage("cli.integrations.on_or_off")
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
	return a.want("integrations "+sub, "list", "set", "user")
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
	return nil, usage("cli.integrations.bad_switch", "Flag", "--"+name, "Value", fmt.Sprintf("%q", v))
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
	tw := a.table("cli.header.account", "cli.header.product", "cli.header.integration", "cli.header.controller",
		"cli.header.free", "cli.header.user", "cli.header.seat_switch")
	for _, v := range ins {
		acct := v.AccountID
		if n := names[acct]; n != "" {
			acct = n + " (" + acct + ")"
		}
		if pending[lsync.Ref{Kind: api.KindIntegration, ID: lsync.IntegrationID(v.AccountID, v.Product)}] {
			acct += " *"
		}
		if len(v.Users) == 0 {
			row(tw, acct, v.Product, a.onOff(v.ProductOn), a.onOff(v.ExternalController), v.FreeLicenses, "-", "-")
		}
		for _, u := range v.Users {
			row(tw, acct, v.Product, a.onOff(v.ProductOn), a.onOff(v.ExternalController), v.FreeLicenses, u.Email,
				a.enum("switch", u.State))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(pending) > 0 {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.solutions.pending_mark"))
	}
	return nil
}

func (a *app) renderIntegration(answer json.RawMessage) error {
	var v api.Integration
	if err := json.Unmarshal(answer, &v); err != nil {
		return i18n.Wrap(err, "cli.answer_bad")
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.integrations.done", "Product", v.Product, "Integration", a.onOff(v.ProductOn),
		"Controller", a.onOff(v.ExternalController), "Free", a.lang.Number(v.FreeLicenses)))
	tw := a.table("cli.header.user", "cli.header.seat_switch")
	for _, u := range v.Users {
		row(tw, u.Email, a.enum("switch", u.State))
	}
	return tw.Flush()
}

// onOff is a switch's position: "on" or "off" in English, the catalog's
// word elsewhere.
func (a *app) onOff(b bool) string {
	if b {
		return a.enum("switch", "on")
	}
	return a.enum("switch", "off")
}
