package core

// Membership rules (seed 000 "titular da conta", DESIGN "Joining an account
// as a member is an offer the person accepts; members can leave"): an
// account has exactly one owner, members are admins or members, and the
// owner's role moves only by handing it to another verified member.

// Codes of membership refusals.
const (
	CodeMemberRole        = "member.role"
	CodeMemberOwner       = "member.owner"
	CodeMemberUnverified  = "member.unverified"
	CodeMemberNotMember   = "member.not_member"
	CodeOfferNotFound     = "offer.not_found"
	CodeAccountUnverified = "account.unverified"
)

// ParseMemberRole reads the role a member may be given: admin or member.
// "owner" moves only by a hand-over, "partner" is reseller staff and not
// given to members.
func ParseMemberRole(s string) (Role, error) {
	r, err := ParseRole(s)
	if err != nil || (r != RoleAdmin && r != RoleMember) {
		return RoleNone, E(Invalid, CodeMemberRole, "a member's role is admin or member, not "+quoteShort(s))
	}
	return r, nil
}

// CheckMemberChange decides whether an actor holding actorRole may change
// (newRole) or remove (newRole == RoleNone) the membership of someone whose
// current role is targetRole; self tells whether the actor changes their
// own. A member may always leave; the owner can neither leave, be removed
// nor be demoted: ownership is handed over first.
func CheckMemberChange(actorRole, targetRole, newRole Role, self bool) error {
	if targetRole == RoleOwner {
		if self {
			return E(Conflict, CodeMemberOwner, "the owner cannot leave or step down: hand ownership to another verified member first")
		}
		return E(Forbidden, CodeMemberOwner, "the owner cannot be removed or demoted; only the owner can hand ownership over")
	}
	if self && newRole == RoleNone {
		return nil // leaving
	}
	if !Allows(actorRole, ManageMembers, false) {
		return E(Forbidden, CodeAccessNoRole, "only the account's owner and admins manage its members")
	}
	return nil
}

// CheckHandOver decides whether the owner may hand the account to a member
// holding targetRole whose address is verified or not.
func CheckHandOver(actorRole, targetRole Role, targetVerified, self bool) error {
	switch {
	case actorRole != RoleOwner:
		return E(Forbidden, CodeMemberOwner, "only the owner hands ownership over")
	case self:
		return E(Invalid, CodeMemberOwner, "you already own this account")
	case targetRole != RoleAdmin && targetRole != RoleMember:
		return E(NotFound, CodeMemberNotMember, "ownership goes to a member of the account: offer them membership first")
	case !targetVerified:
		return E(Conflict, CodeMemberUnverified, "ownership goes to a member whose e-mail address is verified")
	}
	return nil
}
