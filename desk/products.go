package desk

import (
	"context"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	lsync "github.com/licdesk/licdesk/sync"
)

// ProductRow is a product of "My products" (source 003) with the columns
// the vendor page leads with: the support status, the license status and
// the action they ask for, over the product's license numbers.
type ProductRow struct {
	api.Product
	SupportStatus, LicenseStatus, Action string
}

// statusRank orders license states from best to worst, so that a product
// shows its worst license.
var statusRank = map[string]int{
	core.LicenseValid.String(): 0, core.LicenseMaintenanceExpired.String(): 1, core.LicenseExpired.String(): 2,
}

// Products lists the products registered to the user's accounts with their
// status: each license number's license (from the active solutions) gives
// its support and license status; a product shows the worst, and the
// action of any license that asks for one.
func (d *Desk) Products(ctx context.Context) ([]ProductRow, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := c.Products(ctx)
	if err != nil {
		return nil, err
	}
	sols, err := lsync.List[api.Solution](ctx, c, api.KindSolution)
	if err != nil {
		return nil, err
	}
	byNumber := map[string]api.Solution{}
	for _, s := range sols {
		if s.ContractNumber != "" {
			byNumber[s.AccountID+"\x00"+s.ContractNumber] = s
		}
	}
	out := make([]ProductRow, 0, len(ps))
	for _, p := range ps {
		r := ProductRow{Product: p}
		worst := -1
		for _, l := range p.Licenses {
			s, ok := byNumber[p.AccountID+"\x00"+l.Number]
			if !ok {
				continue
			}
			if rank := statusRank[s.LicenseStatus]; rank > worst {
				worst, r.LicenseStatus, r.SupportStatus = rank, s.LicenseStatus, s.SupportStatus
			}
			if r.Action == "" {
				r.Action = s.Action
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ChoosableProducts lists the products a service request of the account
// may be about: those registered to it, those of its licenses and keys,
// and those assigned to the user, by name.
func (d *Desk) ChoosableProducts(ctx context.Context, account string) ([]string, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			seen[p] = true
		}
	}
	ps, err := c.Products(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.AccountID == account {
			add(p.Product)
		}
	}
	sols, err := lsync.List[api.Solution](ctx, c, api.KindSolution)
	if err != nil {
		return nil, err
	}
	for _, s := range sols {
		if s.AccountID == account {
			add(s.Product)
		}
	}
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.AccountID == account {
			add(k.Product)
		}
	}
	assigned, err := c.Assigned(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range assigned {
		add(p.Product)
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// NotYourProductError: a service request names a product the account does
// not have.
type NotYourProductError struct {
	Product string
	Choices []string
}

// Error lists the products that can be chosen.
func (e *NotYourProductError) Error() string {
	if len(e.Choices) == 0 {
		return e.Product + " is not among the account's products, and it has none yet: register one first"
	}
	return e.Product + " is not among the account's products: choose one of " + strings.Join(e.Choices, ", ")
}

// OpenServiceRequest is the write that opens a service request about one
// of the account's products (the account by name or ID; "" is the user's
// own). A product the account does not have is refused with the choices,
// before anything is queued.
func (d *Desk) OpenServiceRequest(ctx context.Context, req api.NewServiceRequest) (lsync.Write, error) {
	account := req.AccountID
	if account == "" {
		m, ok, err := d.OwnAccount(ctx)
		if err != nil {
			return lsync.Write{}, err
		}
		if ok {
			account = m.AccountID
		}
	} else {
		id, err := d.ResolveAccount(ctx, account)
		if err != nil {
			return lsync.Write{}, err
		}
		account = id
	}
	choices, err := d.ChoosableProducts(ctx, account)
	if err != nil {
		return lsync.Write{}, err
	}
	found := ""
	for _, p := range choices {
		if strings.EqualFold(p, strings.TrimSpace(req.Product)) {
			found = p
		}
	}
	if found == "" {
		return lsync.Write{}, &NotYourProductError{Product: strings.TrimSpace(req.Product), Choices: choices}
	}
	req.AccountID, req.Product = account, found
	return lsync.OpenServiceRequest(req)
}
