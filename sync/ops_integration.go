package sync

import (
	"net/http"
	"net/url"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// Operation names of the per-account product integrations (source 004).
const (
	OpIntegrationSwitches = "integration.switches"
	OpIntegrationUser     = "integration.user"
)

// IntegrationID is the cache ID of an account's integration of a product.
func IntegrationID(accountID, product string) string { return accountID + "/" + product }

func integrationPath(acct, product string) string {
	return "/v1/accounts/" + url.PathEscape(acct) + "/integrations/" + url.PathEscape(product)
}

// SetIntegration sets an account's switches for a product: the product
// integration and/or the external controller (a nil switch is left as it
// is). Turning the product integration off while the controller is off
// revokes every user license of the product.
func SetIntegration(accountID, product string, sw api.IntegrationSwitches) (Write, error) {
	a, err := idArg("account", accountID)
	if err != nil {
		return Write{}, err
	}
	p, err := idArg("product", product)
	if err != nil {
		return Write{}, err
	}
	if sw.ProductOn == nil && sw.ExternalController == nil {
		return Write{}, invalid("integration.switches", "say which switch to set: the product integration or the external controller")
	}
	var parts []string
	if sw.ProductOn != nil {
		parts = append(parts, i18n.Stored("write.integration.product_"+onOff(*sw.ProductOn)))
	}
	if sw.ExternalController != nil {
		parts = append(parts, i18n.Stored("write.integration.controller_"+onOff(*sw.ExternalController)))
	}
	summary := i18n.Stored("write.integration.turn", "Switch", parts[0], "Product", p, "Account", a)
	if len(parts) == 2 {
		summary = i18n.Stored("write.integration.turn2", "Switch", parts[0], "Other", parts[1], "Product", p, "Account", a)
	}
	return Write{Op: OpIntegrationSwitches, Method: http.MethodPatch, Path: integrationPath(a, p),
		Body: jsonBody(sw), Summary: summary, Targets: []Ref{{api.KindIntegration, IntegrationID(a, p)}}}, nil
}

// SetUserLicense turns one user's license of a product in an account on or
// off, as the account's switches allow.
func SetUserLicense(accountID, product, email string, on bool) (Write, error) {
	a, err := idArg("account", accountID)
	if err != nil {
		return Write{}, err
	}
	p, err := idArg("product", product)
	if err != nil {
		return Write{}, err
	}
	e, err := emailArg(email)
	if err != nil {
		return Write{}, err
	}
	key := "write.integration.user_on"
	if !on {
		key = "write.integration.user_off"
	}
	return Write{Op: OpIntegrationUser, Method: http.MethodPost, Path: integrationPath(a, p) + "/users",
		Body: jsonBody(api.UserSwitch{Email: e, On: on}), Summary: i18n.Stored(key, "Email", e, "Product", p, "Account", a),
		Targets: []Ref{{api.KindIntegration, IntegrationID(a, p)}}}, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// integrationSwitchesEffect applies the switches with core's rules, in the
// portal's order (the controller on first, then the product integration,
// then the controller off), and renders the state as the portal does. A
// switch core refuses changes nothing: the portal will refuse it too.
func integrationSwitchesEffect(env *effectEnv, w Write, v api.Integration) (api.Integration, error) {
	sw, err := body[api.IntegrationSwitches](w)
	if err != nil {
		return v, err
	}
	st, by := v.IntegrationState(), env.by()
	if sw.ExternalController != nil && *sw.ExternalController {
		st, _, _ = core.SetExternalController(by, st, true)
	}
	if sw.ProductOn != nil {
		st, _, _ = core.SetProductIntegration(by, st, *sw.ProductOn)
	}
	if sw.ExternalController != nil && !*sw.ExternalController {
		st, _, _ = core.SetExternalController(by, st, false)
	}
	return api.IntegrationOf(st), nil
}

// integrationUserEffect turns one user's license on or off with core's rule.
func integrationUserEffect(env *effectEnv, w Write, v api.Integration) (api.Integration, error) {
	req, err := body[api.UserSwitch](w)
	if err != nil {
		return v, err
	}
	st, _, err := core.SetUserLicense(env.by(), v.IntegrationState(), core.Email(req.Email), req.On)
	if err != nil {
		return v, err
	}
	return api.IntegrationOf(st), nil
}
