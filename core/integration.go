package core

import "strconv"

// Integration holds the two per-account, per-product switches of source 004:
// the product integration, which must be on for users to have the product at
// all, and the external controller (a third-party system such as a PBX that,
// while on, owns the product's user licenses).
type Integration struct {
	ProductOn          bool
	ExternalController bool
}

// UserSwitch is what a user's product switch shows in the account's user
// page (source 004).
type UserSwitch int

// User switch states.
const (
	SwitchOn           UserSwitch = iota // the user has a license; the admin may turn it off
	SwitchOff                            // the user has none and one is free; the admin may turn it on
	SwitchReadOnlyOn                     // the external controller owns the license: shown on, not editable
	SwitchNoLicenses                     // nothing to show or switch
	SwitchNotAvailable                   // shown, disabled: no free license to give
)

// String is the text the user page shows, as the seed words it.
func (s UserSwitch) String() string {
	switch s {
	case SwitchOn:
		return "on"
	case SwitchOff:
		return "off"
	case SwitchReadOnlyOn:
		return "read-only on"
	case SwitchNoLicenses:
		return "No licenses"
	case SwitchNotAvailable:
		return "Licenses not available"
	}
	return "UserSwitch(" + strconv.Itoa(int(s)) + ")"
}

// Editable reports whether the admin may flip the switch.
func (s UserSwitch) Editable() bool { return s == SwitchOn || s == SwitchOff }

// VisibleState decides what a user's switch shows, in the seed's order of
// precedence: product integration off shows "No licenses" whatever else
// holds; the external controller on shows the user's license read-only, or
// "No licenses" without one; otherwise the switch is on or off, except that
// it is disabled ("Licenses not available") when the user has none and none
// is free.
func VisibleState(integ Integration, userHasLicense bool, freeLicenses int) UserSwitch {
	switch {
	case !integ.ProductOn:
		return SwitchNoLicenses
	case integ.ExternalController && userHasLicense:
		return SwitchReadOnlyOn
	case integ.ExternalController:
		return SwitchNoLicenses
	case userHasLicense:
		return SwitchOn
	case freeLicenses <= 0:
		return SwitchNotAvailable
	}
	return SwitchOff
}

// UserLicense is one user's license of the product in the account. Revoking
// takes the license back, which frees it for someone else.
type UserLicense struct {
	User       Email
	HasLicense bool
}

// IntegrationState is everything the switches of one product in one account
// decide over.
type IntegrationState struct {
	Account AccountID
	Product string
	Integration
	Capacity int // user licenses the account holds for the product (CapacityByProduct)
	Users    []UserLicense
}

// Free is how many licenses are left to give.
func (s IntegrationState) Free() int {
	n := s.Capacity
	for _, u := range s.Users {
		if u.HasLicense {
			n--
		}
	}
	return max(n, 0)
}

// user returns the index of user in s.Users, or -1.
func (s IntegrationState) user(e Email) int {
	for i, u := range s.Users {
		if u.User == e {
			return i
		}
	}
	return -1
}

// Switch is what user's switch shows now.
func (s IntegrationState) Switch(user Email) UserSwitch {
	has := false
	if i := s.user(user); i >= 0 {
		has = s.Users[i].HasLicense
	}
	return VisibleState(s.Integration, has, s.Free())
}

func (s IntegrationState) clone() IntegrationState {
	s.Users = append([]UserLicense(nil), s.Users...)
	return s
}

func (s IntegrationState) subject() string { return string(s.Account) + "/" + s.Product }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// SetProductIntegration turns the product integration on or off and returns
// the users whose licenses it revoked. Turning it off revokes every user
// license, unless the external controller is on at that moment: then the
// controller owns the licenses and they stay active (source 004). Setting the
// switch to the state it has changes nothing and records nothing.
func SetProductIntegration(by By, s IntegrationState, on bool) (IntegrationState, []Email, []Event) {
	if s.ProductOn == on {
		return s, nil, nil
	}
	out := s.clone()
	out.ProductOn = on
	var revoked []Email
	if !on && !s.ExternalController {
		for i, u := range out.Users {
			if u.HasLicense {
				out.Users[i].HasLicense = false
				revoked = append(revoked, u.User)
			}
		}
	}
	after := onOff(on)
	if len(revoked) > 0 {
		after += ", " + strconv.Itoa(len(revoked)) + " user licenses revoked"
	}
	return out, revoked, []Event{newEvent(by, AuditIntegrationProduct, s.subject(), onOff(s.ProductOn), after)}
}

// SetExternalController turns the external controller on or off. It never
// revokes a license, and the empty revoked list says so: in particular,
// turning the controller off after the product integration was turned off
// under it leaves the licenses it kept active (source 004).
func SetExternalController(by By, s IntegrationState, on bool) (IntegrationState, []Email, []Event) {
	if s.ExternalController == on {
		return s, nil, nil
	}
	out := s.clone()
	out.ExternalController = on
	return out, nil, []Event{newEvent(by, AuditIntegrationExternal, s.subject(), onOff(s.ExternalController), onOff(on))}
}

// SetUserLicense flips one user's switch. It is refused while the product
// integration is off (nothing to switch), while the external controller owns
// the licenses (read-only), and when turning on with no free license.
// Setting the switch to the state it has records nothing.
func SetUserLicense(by By, s IntegrationState, user Email, on bool) (IntegrationState, []Event, error) {
	e, err := NormalizeEmail(string(user))
	if err != nil {
		return s, nil, err
	}
	switch {
	case !s.ProductOn:
		return s, nil, WithArgs(E(Forbidden, CodeIntegrationOff, "the "+s.Product+" integration is off for this account: turn it on first"), "Product", s.Product)
	case s.ExternalController:
		return s, nil, WithArgs(E(Forbidden, CodeIntegrationReadOnly, s.Product+" licenses are managed by the external controller here"), "Product", s.Product)
	}
	i := s.user(e)
	has := i >= 0 && s.Users[i].HasLicense
	if has == on {
		return s, nil, nil
	}
	if on && s.Free() == 0 {
		return s, nil, E(Conflict, CodeIntegrationNoFree, "no "+s.Product+" license is free in this account")
	}
	out := s.clone()
	if i < 0 {
		out.Users = append(out.Users, UserLicense{User: e})
		i = len(out.Users) - 1
	}
	out.Users[i].HasLicense = on
	return out, []Event{newEvent(by, AuditIntegrationUser, s.subject()+"/"+string(e), onOff(has), onOff(on))}, nil
}

// CheckSeatWrite decides whether the seats of a product may be written
// directly (assign, remove, reassign) in an account with these switches.
// While the external controller is on it owns the product's user licenses
// (source 004: the switches are read-only), so no seat write of the product
// may change them behind its back: the same rule as the per-user switches.
func CheckSeatWrite(integ Integration, product string) error {
	if integ.ExternalController {
		return WithArgs(E(Forbidden, CodeIntegrationReadOnly, product+" licenses are managed by the external controller in this account: turn the controller off to change its seats"), "Product", product)
	}
	return nil
}
