package desk

import (
	"context"
	"slices"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// settingVerified records that the login's address was verified (the
// portal said so at login, or the code was entered here).
const settingVerified = "verified"

// Verified reports whether the login's address is verified: until then
// the account takes no Pending seat and joins no account.
func (d *Desk) Verified(ctx context.Context) bool {
	v, _ := d.Setting(ctx, settingVerified)
	return v == "yes"
}

func verifiedValue(v bool) string {
	if v {
		return "yes"
	}
	return ""
}

// Verify enters the code the portal e-mailed at sign-up. The seats that
// waited for the address turn Assigned, so a sync and the leases follow.
func (d *Desk) Verify(ctx context.Context, code string) (api.User, error) {
	s, err := d.requireLogin(ctx)
	if err != nil {
		return api.User{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return api.User{}, invalid("verify.code", "give the code from the e-mail")
	}
	cl, err := d.Client(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.User{}, err
	}
	u, err := cl.Verify(ctx, s.Email, code)
	if err != nil {
		return u, err
	}
	if err := d.setSettings(ctx, map[string]string{settingVerified: verifiedValue(true)}); err != nil {
		return u, err
	}
	d.Sync(ctx) // the portal is there: what the address unlocked comes now
	return u, nil
}

// ResendCode asks the portal to e-mail a new code to the login's address.
func (d *Desk) ResendCode(ctx context.Context) error {
	s, err := d.requireLogin(ctx)
	if err != nil {
		return err
	}
	cl, err := d.Client(ctx, lsync.DefaultRetry())
	if err != nil {
		return err
	}
	return cl.ResendCode(ctx, s.Email)
}

// Offers lists the membership offers waiting for the user: from the
// portal when it answers in time, else from the cached copy.
func (d *Desk) Offers(ctx context.Context) ([]api.Offer, error) {
	if cl, err := d.online(ctx, lsync.NoRetry()); err == nil {
		qctx, cancel := d.quick(ctx)
		out, err := cl.Offers(qctx)
		cancel()
		if err == nil || !lsync.IsOffline(err) {
			return out, err
		}
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	return lsync.List[api.Offer](ctx, c, api.KindOffer)
}

// NoOfferError: no offer from an account of that ID or name.
type NoOfferError struct{ Account string }

// Error names it.
func (e *NoOfferError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NoOfferError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.no_offer", Args: []any{"Account", e.Account}}
}

// findOffer finds an offer by its account's ID or name (any case).
func (d *Desk) findOffer(ctx context.Context, account string) (api.Offer, error) {
	offers, err := d.Offers(ctx)
	if err != nil {
		return api.Offer{}, err
	}
	i := slices.IndexFunc(offers, func(o api.Offer) bool {
		return o.AccountID == account || strings.EqualFold(o.AccountName, strings.TrimSpace(account))
	})
	if i < 0 {
		return api.Offer{}, &NoOfferError{Account: account}
	}
	return offers[i], nil
}

// AcceptOffer joins the account that offered the user membership (by the
// account's ID or name), then syncs: its licenses show at once.
func (d *Desk) AcceptOffer(ctx context.Context, account string) (api.Membership, error) {
	o, err := d.findOffer(ctx, account)
	if err != nil {
		return api.Membership{}, err
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.Membership{}, err
	}
	m, err := cl.AcceptOffer(ctx, lsync.NewKey(), o.AccountID)
	if err != nil {
		return m, err
	}
	d.Sync(ctx)
	return m, nil
}

// DeclineOffer drops an account's offer (by the account's ID or name).
func (d *Desk) DeclineOffer(ctx context.Context, account string) (api.Offer, error) {
	o, err := d.findOffer(ctx, account)
	if err != nil {
		return o, err
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return o, err
	}
	if err := cl.DeclineOffer(ctx, lsync.NewKey(), o.AccountID); err != nil {
		return o, err
	}
	d.Sync(ctx)
	return o, nil
}

// SetEmailLanguage sets the language the portal writes its e-mails to the
// logged-in user in (invitations, seat e-mails, codes, news): en, pt-BR, es
// or fr, or a close tag (pt, fr-CA) that reads as the nearest. A language
// there is no catalog for is refused before the portal is asked.
func (d *Desk) SetEmailLanguage(ctx context.Context, lang string) (api.User, error) {
	if _, err := d.requireLogin(ctx); err != nil {
		return api.User{}, err
	}
	tag, err := i18n.Parse(lang)
	if err != nil {
		return api.User{}, invalid("account.language", "the language must be one of "+i18n.SupportedList())
	}
	cl, err := d.Client(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.User{}, err
	}
	return cl.SetLanguage(ctx, tag.String())
}

// EmailLanguage is the language the portal writes its e-mails to the
// logged-in user in, as the portal has it ("" for an account from before
// languages, which gets English).
func (d *Desk) EmailLanguage(ctx context.Context) (string, error) {
	if _, err := d.requireLogin(ctx); err != nil {
		return "", err
	}
	cl, err := d.Client(ctx, lsync.DefaultRetry())
	if err != nil {
		return "", err
	}
	me, err := cl.Me(ctx)
	return me.User.Language, err
}
