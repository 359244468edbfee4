package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allActions = []Action{ManageSeats, ViewSolutions, AssignOrder, ManageIntegrations, RegisterProduct, ViewAudit, DelegateManagement}

// TestAllows_MatchesThePermissionTable restates the documented table cell by
// cell, so any change to a permission has to change this test too.
func TestAllows_MatchesThePermissionTable(t *testing.T) {
	type col struct {
		role      Role
		delegated bool
	}
	owner, admin, member, partnerOwn, partnerFor := col{RoleOwner, false}, col{RoleAdmin, false}, col{RoleMember, false}, col{RolePartner, false}, col{RolePartner, true}
	allowed := map[Action][]col{
		ManageSeats:        {owner, admin, partnerFor},
		ViewSolutions:      {owner, admin, partnerOwn, partnerFor},
		AssignOrder:        {owner, admin, partnerOwn},
		ManageIntegrations: {owner, admin, partnerFor},
		RegisterProduct:    {owner, admin, partnerFor},
		ViewAudit:          {owner, admin, partnerOwn, partnerFor},
		DelegateManagement: {owner},
	}
	cols := []col{{RoleNone, false}, owner, admin, member, partnerOwn, {RoleNone, true}, {RoleOwner, true}, {RoleAdmin, true}, {RoleMember, true}, partnerFor}
	for _, a := range allActions {
		for _, c := range cols {
			want := false
			for _, ok := range allowed[a] {
				if ok == c {
					want = true
				}
			}
			assert.Equal(t, want, Allows(c.role, a, c.delegated), "%s, %s, delegated=%v", a, c.role, c.delegated)
		}
	}
}

func TestAuthorize_UsesTheActorsRoleInTheTargetAccount(t *testing.T) {
	acme := Account{ID: "acme"}
	actor := Actor{Account: "acme", Email: "ana@acme.com", Roles: map[AccountID]Role{"acme": RoleAdmin, "beta": RoleOwner}}
	assert.NoError(t, Authorize(actor, ManageSeats, acme))
	err := Authorize(actor, DelegateManagement, acme)
	assert.Equal(t, Forbidden, KindOf(err))
	assert.Equal(t, CodeAccessDenied, CodeOf(err))
	assert.Contains(t, err.Error(), "admin may not delegate management")
	assert.NoError(t, Authorize(actor, DelegateManagement, Account{ID: "beta"}))
}

func TestAuthorize_MembersHaveNoAccountWideRight(t *testing.T) {
	m := Actor{Email: "m@acme.com", Roles: map[AccountID]Role{"acme": RoleMember}}
	for _, a := range allActions {
		err := Authorize(m, a, Account{ID: "acme"})
		assert.Equal(t, CodeAccessDenied, CodeOf(err), a.String())
	}
}

func TestAuthorize_ForeignAccountIsForbiddenWithNoRole(t *testing.T) {
	actor := Actor{Email: "ana@acme.com", Roles: map[AccountID]Role{"acme": RoleOwner}}
	err := Authorize(actor, ViewSolutions, Account{ID: "other"})
	assert.Equal(t, Forbidden, KindOf(err))
	assert.Equal(t, CodeAccessNoRole, CodeOf(err))
	assert.Equal(t, CodeAccessNoRole, CodeOf(Authorize(Actor{}, ViewSolutions, Account{ID: "other"})))
}

func TestAuthorize_PartnerActsForACustomerOnlyWhileDelegated(t *testing.T) {
	staff := Actor{Account: "reseller", Email: "p@reseller.com", Roles: map[AccountID]Role{"reseller": RolePartner}}
	delegated := Account{ID: "cust", DelegatedTo: "reseller"}
	notDelegated := Account{ID: "cust"}
	toOther := Account{ID: "cust", DelegatedTo: "other-reseller"}

	assert.NoError(t, Authorize(staff, ManageSeats, delegated))
	assert.NoError(t, Authorize(staff, ManageIntegrations, delegated))
	assert.Equal(t, CodeAccessNoRole, CodeOf(Authorize(staff, ManageSeats, notDelegated)))
	assert.Equal(t, CodeAccessNoRole, CodeOf(Authorize(staff, ManageSeats, toOther)))

	err := Authorize(staff, DelegateManagement, delegated)
	assert.Equal(t, CodeAccessDenied, CodeOf(err), "a partner may not re-delegate the customer's account")
	assert.Contains(t, err.Error(), "partner acting for the account")
	assert.Equal(t, CodeAccessDenied, CodeOf(Authorize(staff, AssignOrder, delegated)))
	assert.NoError(t, Authorize(staff, AssignOrder, Account{ID: "reseller"}), "orders are assigned from the partner's own account")
}

func TestAuthorize_PartnerAccountOwnerAndAdminActForDelegatingCustomersButMembersDoNot(t *testing.T) {
	delegated := Account{ID: "cust", DelegatedTo: "reseller"}
	for _, r := range []Role{RoleOwner, RoleAdmin, RolePartner} {
		a := Actor{Roles: map[AccountID]Role{"reseller": r}}
		assert.NoError(t, Authorize(a, ManageSeats, delegated), r.String())
	}
	m := Actor{Roles: map[AccountID]Role{"reseller": RoleMember}}
	assert.Equal(t, CodeAccessNoRole, CodeOf(Authorize(m, ManageSeats, delegated)))
}

func TestAuthorize_EitherPathSuffices(t *testing.T) {
	// A customer's member who is also the reseller's staff may manage seats
	// through the delegation even though the member role alone may not.
	a := Actor{Roles: map[AccountID]Role{"cust": RoleMember, "reseller": RolePartner}}
	assert.NoError(t, Authorize(a, ManageSeats, Account{ID: "cust", DelegatedTo: "reseller"}))
	assert.Equal(t, CodeAccessDenied, CodeOf(Authorize(a, ManageSeats, Account{ID: "cust"})))
}

func TestAuthorizeView_MembersSeeOnlyLicensesAssignedToThem(t *testing.T) {
	acme := Account{ID: "acct-acme"}
	member := Actor{Email: "Bob@x.com", Roles: map[AccountID]Role{"acct-acme": RoleMember}}
	mine := lic("L1", pending("S1", "bob@x.com"))
	notMine := lic("L2", assigned("S1", "carl@x.com"))
	assert.NoError(t, AuthorizeView(member, acme, mine))
	assert.Equal(t, CodeAccessDenied, CodeOf(AuthorizeView(member, acme, notMine)))

	stranger := Actor{Email: "bob@x.com"}
	assert.NoError(t, AuthorizeView(stranger, acme, mine), "an assignee sees what is assigned to them without a role")
	assert.Equal(t, CodeAccessNoRole, CodeOf(AuthorizeView(stranger, acme, notMine)))

	admin := Actor{Email: "a@acme.com", Roles: map[AccountID]Role{"acct-acme": RoleAdmin}}
	assert.NoError(t, AuthorizeView(admin, acme, notMine))
}

func TestRole_StringAndParse(t *testing.T) {
	for r := RoleOwner; r <= RolePartner; r++ {
		got, err := ParseRole(r.String())
		require.NoError(t, err)
		assert.Equal(t, r, got)
	}
	_, err := ParseRole("none")
	assert.Equal(t, CodeRoleUnknown, CodeOf(err))
	assert.Equal(t, "Role(9)", Role(9).String())
	assert.Equal(t, "Action(9)", Action(9).String())
	for _, a := range allActions {
		assert.NotContains(t, a.String(), "Action(")
	}
}
