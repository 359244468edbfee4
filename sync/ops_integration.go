package sync

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
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
		parts = append(parts, "product integration "+onOff(*sw.ProductOn))
	}
	if sw.ExternalController != nil {
		parts = append(parts, "external controller "+onOff(*sw.ExternalController))
	}
	summary := fmt.Sprintf("turn the %s of %s in account %s", parts[0], p, a)
	if len(parts) == 2 {
		summary = fmt.Sprintf("turn the %s and the %s of %s in account %s", parts[0], parts[1], p, a)
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
	verb := "give %s a %s license in account %s"
	if !on {
		verb = "take %s's %s license back in account %s"
	}
	return Write{Op: OpIntegrationUser, Method: http.MethodPost, Path: integrationPath(a, p) + "/users",
		Body: jsonBody(api.UserSwitch{Email: e, On: on}), Summary: fmt.Sprintf(verb, e, p, a),
		Targets: []Ref{{api.KindIntegration, IntegrationID(a, p)}}}, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// integrationState rebuilds core's state from the portal's view: the
// account's capacity is what is free plus what users hold.
func integrationState(v api.Integration) core.IntegrationState {
	st := core.IntegrationState{Account: core.AccountID(v.AccountID), Product: v.Product,
		Integration: core.Integration{ProductOn: v.ProductOn, ExternalController: v.ExternalController},
		Capacity:    v.FreeLicenses}
	for _, u := range v.Users {
		st.Users = append(st.Users, core.UserLicense{User: core.Email(u.Email), HasLicense: u.Active})
		if u.Active {
			st.Capacity++
		}
	}
	return st
}

// integrationViewOf is the portal's view of a state, as the store builds it.
func integrationViewOf(st core.IntegrationState) api.Integration {
	v := api.Integration{AccountID: string(st.Account), Product: st.Product, ProductOn: st.ProductOn,
		ExternalController: st.ExternalController, FreeLicenses: st.Free(), Users: []api.IntegrationUser{}}
	for _, u := range st.Users {
		sw := st.Switch(u.User)
		v.Users = append(v.Users, api.IntegrationUser{Email: string(u.User), State: sw.String(), Active: u.HasLicense,
			ReadOnly: sw == core.SwitchReadOnlyOn, Enabled: sw.Editable()})
	}
	return v
}

// integrationEffect applies an integration write with core's rules, in the
// portal's order (the controller on first, then the product integration,
// then the controller off). A write core refuses has no effect: the portal
// will refuse it too, and the reason is kept then.
func integrationEffect(env *effectEnv, w Write, cur []byte) ([]byte, error) {
	if cur == nil {
		return nil, nil
	}
	var v api.Integration
	if err := json.Unmarshal(cur, &v); err != nil {
		return nil, err
	}
	st := integrationState(v)
	by := core.By{Actor: core.Email(env.email), At: env.now}
	switch w.Op {
	case OpIntegrationSwitches:
		var sw api.IntegrationSwitches
		if err := json.Unmarshal(w.Body, &sw); err != nil {
			return nil, err
		}
		if sw.ExternalController != nil && *sw.ExternalController {
			st, _, _ = core.SetExternalController(by, st, true)
		}
		if sw.ProductOn != nil {
			st, _, _ = core.SetProductIntegration(by, st, *sw.ProductOn)
		}
		if sw.ExternalController != nil && !*sw.ExternalController {
			st, _, _ = core.SetExternalController(by, st, false)
		}
	case OpIntegrationUser:
		var req api.UserSwitch
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return nil, err
		}
		var err error
		if st, _, err = core.SetUserLicense(by, st, core.Email(req.Email), req.On); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("not an integration write: %s", w.Op)
	}
	return json.Marshal(integrationViewOf(st))
}
