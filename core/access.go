package core

import "strconv"

// Role is what an actor is in one account.
type Role int

// Roles. RoleNone is the zero value so that a missing map entry means "no
// role" rather than some real role.
const (
	RoleNone    Role = iota
	RoleOwner        // the account holder (source 000: "titular da conta")
	RoleAdmin        // manages the account on the owner's behalf
	RoleMember       // a user of the account; sees only what is assigned to them
	RolePartner      // reseller staff, held in the partner's own account (source 001, 004)
)

// String names the role as stored and printed.
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "none"
	case RoleOwner:
		return "owner"
	case RoleAdmin:
		return "admin"
	case RoleMember:
		return "member"
	case RolePartner:
		return "partner"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// ParseRole reads a role name, ignoring case; "none" is refused because it
// is never stored.
func ParseRole(s string) (Role, error) {
	return parseEnum(s, RoleOwner, RolePartner, CodeRoleUnknown, "role")
}

// Action is something an actor asks to do to an account.
type Action int

// Actions, each checked against the table in Allows.
const (
	ManageSeats        Action = iota // assign, remove, reassign seats of the account's licenses
	ViewSolutions                    // see all the account's licenses and who holds their seats
	AssignOrder                      // move an order bought by the account to a customer account
	ManageIntegrations               // flip integration switches and per-user product licenses
	RegisterProduct                  // add products and license numbers to the account
	ViewAudit                        // read the account's audit trail
	DelegateManagement               // let a partner (or stop letting it) manage the account
	ManageMembers                    // offer membership, change members' roles, remove members
)

// String names the action for messages.
func (a Action) String() string {
	switch a {
	case ManageSeats:
		return "manage seats"
	case ViewSolutions:
		return "view solutions"
	case AssignOrder:
		return "assign orders"
	case ManageIntegrations:
		return "manage integrations"
	case RegisterProduct:
		return "register products"
	case ViewAudit:
		return "view the audit trail"
	case DelegateManagement:
		return "delegate management"
	case ManageMembers:
		return "manage members"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Account is what authorization needs to know about the account acted on.
type Account struct {
	ID          AccountID
	Name        string
	OwnerEmail  Email
	DelegatedTo AccountID // the partner account the customer lets manage it; "" for none
}

// Actor is an authenticated user with a role in each account they belong
// to. Account is their home account (for reseller staff, the partner's).
type Actor struct {
	Account AccountID
	Email   Email
	Roles   map[AccountID]Role
}

// Allows is the permission table. "Acting for a customer" is its own column
// (RolePartner with delegated=true): what a partner may do in a customer's
// account that delegated management to it. The table is a function rather
// than a map so that no caller can change it at run time.
//
//	action              owner admin member partner(own) partner(for customer)
//	ManageSeats           x     x                            x
//	ViewSolutions         x     x             x              x
//	AssignOrder           x     x             x
//	ManageIntegrations    x     x                            x
//	RegisterProduct       x     x                            x
//	ViewAudit             x     x             x              x
//	DelegateManagement    x
//	ManageMembers         x     x
//
// Members have no account-wide right: they see only what is assigned to
// them (AuthorizeView). Delegation is the owner's alone because it hands the
// account to someone else. A partner does not assign orders inside a
// customer's account: orders are bought, and so assigned, by the partner.
func Allows(r Role, a Action, delegated bool) bool {
	if delegated {
		if r != RolePartner {
			return false
		}
		return oneOf(a, ManageSeats, ViewSolutions, ManageIntegrations, RegisterProduct, ViewAudit)
	}
	switch r {
	case RoleOwner:
		return oneOf(a, ManageSeats, ViewSolutions, AssignOrder, ManageIntegrations, RegisterProduct, ViewAudit, DelegateManagement, ManageMembers)
	case RoleAdmin:
		return oneOf(a, ManageSeats, ViewSolutions, AssignOrder, ManageIntegrations, RegisterProduct, ViewAudit, ManageMembers)
	case RolePartner:
		return oneOf(a, ViewSolutions, AssignOrder, ViewAudit)
	}
	return false
}

func oneOf(a Action, set ...Action) bool {
	for _, s := range set {
		if a == s {
			return true
		}
	}
	return false
}

// Authorize decides whether actor may perform action on account. A role the
// actor holds in the account itself counts; so does being partner staff,
// owner or admin of the reseller's account when, and only while, the account
// delegated management to that reseller (source 001: customers may delegate to
// the partner that sold to them). Either path granting the action is enough.
func Authorize(actor Actor, action Action, account Account) error {
	direct := actor.Roles[account.ID]
	if Allows(direct, action, false) {
		return nil
	}
	viaPartner := account.DelegatedTo != "" && actsForPartner(actor.Roles[account.DelegatedTo])
	if viaPartner && Allows(RolePartner, action, true) {
		return nil
	}
	if direct == RoleNone && !viaPartner {
		return E(Forbidden, CodeAccessNoRole, string(actor.Email)+" has no role in account "+string(account.ID))
	}
	role := direct.String()
	if direct == RoleNone {
		role = "partner acting for the account"
	}
	return E(Forbidden, CodeAccessDenied, "a "+role+" may not "+action.String()+" in account "+string(account.ID))
}

// AuthorizeView decides whether actor may see license lic of account: anyone
// who may view the account's solutions may, and anyone else only when their
// own address holds a seat of it (members see what is assigned to them).
func AuthorizeView(actor Actor, account Account, lic License) error {
	err := Authorize(actor, ViewSolutions, account)
	if err == nil {
		return nil
	}
	if e, nerr := NormalizeEmail(string(actor.Email)); nerr == nil && lic.seatOf(e) >= 0 {
		return nil
	}
	return err
}

// actsForPartner reports whether a role in a partner account lets its holder
// act for the partner's delegating customers: its staff, owner and admins
// do; its plain members do not.
func actsForPartner(r Role) bool {
	return r == RolePartner || r == RoleOwner || r == RoleAdmin
}
