package sync

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/licdesk/licdesk/api"
)

// The calls of verified addresses and membership offers (issue 12). Writes
// take an idempotency key (from NewKey or the outbox) so that a lost answer
// can be retried without applying twice.

// Verify confirms the caller's address with the code the portal e-mailed
// at sign-up; it needs no login. Verifying twice is harmless, so it is
// retried.
func (c *Client) Verify(ctx context.Context, email, code string) (api.User, error) {
	var u api.User
	b, err := json.Marshal(api.VerifyRequest{Email: email, Code: code})
	if err != nil {
		return u, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/verify", Body: b, Retry: true}, &u)
	return u, err
}

// ResendCode asks the portal to e-mail a new verification code.
func (c *Client) ResendCode(ctx context.Context, email string) error {
	b, err := json.Marshal(api.ResendRequest{Email: email})
	if err != nil {
		return err
	}
	return c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/verify/resend", Body: b}, nil)
}

// Offers lists the membership offers waiting for the caller.
func (c *Client) Offers(ctx context.Context) ([]api.Offer, error) {
	var out []api.Offer
	err := c.get(ctx, "/v1/offers", nil, &out)
	return out, err
}

// AcceptOffer joins the account that offered the caller membership.
func (c *Client) AcceptOffer(ctx context.Context, key, accountID string) (api.Membership, error) {
	var m api.Membership
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/offers/" + url.PathEscape(accountID) + "/accept", Key: key}, &m)
	return m, err
}

// DeclineOffer drops an account's membership offer.
func (c *Client) DeclineOffer(ctx context.Context, key, accountID string) error {
	return c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/offers/" + url.PathEscape(accountID) + "/decline", Key: key}, nil)
}

// Members lists an account's members and open offers.
func (c *Client) Members(ctx context.Context, accountID string) ([]api.Member, error) {
	var out []api.Member
	err := c.get(ctx, "/v1/accounts/"+url.PathEscape(accountID)+"/members", nil, &out)
	return out, err
}

// OfferMembership offers a verified user a role (admin or member) in an
// account, or changes a member's role.
func (c *Client) OfferMembership(ctx context.Context, key, accountID, email, role string) (api.Member, error) {
	var m api.Member
	b, err := json.Marshal(api.MemberRequest{Email: email, Role: role})
	if err != nil {
		return m, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/accounts/" + url.PathEscape(accountID) + "/members", Body: b, Key: key}, &m)
	return m, err
}

// RemoveMember removes someone from an account (owner and admins), or
// withdraws their offer; with the caller's own e-mail it leaves the account.
func (c *Client) RemoveMember(ctx context.Context, key, accountID, email string) error {
	return c.Do(ctx, Request{Method: http.MethodDelete,
		Path: "/v1/accounts/" + url.PathEscape(accountID) + "/members/" + url.PathEscape(email), Key: key}, nil)
}

// HandOver makes another verified member the account's owner; the caller
// (the owner) becomes an admin.
func (c *Client) HandOver(ctx context.Context, key, accountID, email string) (api.Member, error) {
	var m api.Member
	b, err := json.Marshal(api.HandOverRequest{Email: email})
	if err != nil {
		return m, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/accounts/" + url.PathEscape(accountID) + "/owner", Body: b, Key: key}, &m)
	return m, err
}

// NewKey returns a fresh idempotency key for one write.
func NewKey() string { return newKey() }
