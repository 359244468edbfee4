package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/licdesk/licdesk/api"
)

// This file has a typed method for every portal call that is not a queued
// write (those are the Write constructors of ops*.go): the machine side of
// activation, leases, the serial preview and the public keys. No other
// package spells a "/v1/" path.

// newIdempotencyKey makes a direct write safe to retry when its answer is
// lost: the portal answers a replayed key with its first answer.
func newIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// postJSON sends a write that is not queued, under a fresh idempotency key.
func (c *Client) postJSON(ctx context.Context, path string, body []byte, out any) error {
	return c.Do(ctx, Request{Method: http.MethodPost, Path: path, Body: body, Key: newIdempotencyKey()}, out)
}

// KeySet fetches the document of public keys the portal signs with
// (api.WellKnownKeysPath), as it is; the caller parses and decides whether
// to trust it.
func (c *Client) KeySet(ctx context.Context) ([]byte, error) {
	var raw json.RawMessage
	err := c.Do(ctx, Request{Method: http.MethodGet, Path: api.WellKnownKeysPath}, &raw)
	return raw, err
}

// AddKey adds a license or install key to an account; an install key is
// activated on the machine described as it is added.
func (c *Client) AddKey(ctx context.Context, r api.AddKeyRequest) (api.AddedKey, error) {
	var out api.AddedKey
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = c.postJSON(ctx, "/v1/keys", b, &out)
	return out, err
}

// Activate activates a key online for the machine described; the answer
// carries the signed response to the request's nonce.
func (c *Client) Activate(ctx context.Context, r api.ActivateRequest) (api.Activated, error) {
	var out api.Activated
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = c.postJSON(ctx, "/v1/activations", b, &out)
	return out, err
}

// AnswerRequest sends an offline activation request file, written on a
// disconnected machine, and returns the portal's signed response.
func (c *Client) AnswerRequest(ctx context.Context, requestFile []byte) (api.Activated, error) {
	var out api.Activated
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/activations/offline", Body: requestFile,
		ContentType: "application/vnd.licdesk.activation-request", Key: newIdempotencyKey()}, &out)
	return out, err
}

// Deactivate frees an activation of the caller's accounts by its ID.
func (c *Client) Deactivate(ctx context.Context, activationID string) (api.Activation, error) {
	var out api.Activation
	err := c.Do(ctx, Request{Method: http.MethodDelete, Path: "/v1/activations/" + url.PathEscape(activationID),
		Key: newIdempotencyKey()}, &out)
	return out, err
}

// SubmitReceipt hands in a deactivation receipt written on a disconnected
// machine; the portal frees that activation.
func (c *Client) SubmitReceipt(ctx context.Context, receiptFile []byte) (api.Deactivated, error) {
	var out api.Deactivated
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/activations/receipt", Body: receiptFile,
		ContentType: "text/plain", Key: newIdempotencyKey()}, &out)
	return out, err
}

// Lease asks for a fresh offline lease of a product's cloud-login license
// (the adopted one, or the default pick). Asking twice is harmless.
func (c *Client) Lease(ctx context.Context, r api.LeaseRequest) (api.Lease, error) {
	var out api.Lease
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/leases", Body: b, Retry: true}, &out)
	return out, err
}

// PreviewKey asks what a serial would yield, without issuing the key.
func (c *Client) PreviewKey(ctx context.Context, r api.GetKeyRequest) (api.KeyPreview, error) {
	var out api.KeyPreview
	r.Confirm = false
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/keys/get", Body: b, Retry: true}, &out)
	return out, err
}

// NewsFeedURL is the address of a product's public RSS feed.
func (c *Client) NewsFeedURL(product string) string {
	return c.base.String() + "/v1/news/" + url.PathEscape(product) + "/rss"
}

// AddMember offers a verified user membership of an account in a role (an
// offer they accept or decline), or changes a member's role; the owner's
// and admins' call.
func (c *Client) AddMember(ctx context.Context, accountID string, r api.MemberRequest) (api.Member, error) {
	var out api.Member
	b, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	err = c.postJSON(ctx, "/v1/accounts/"+url.PathEscape(accountID)+"/members", b, &out)
	return out, err
}

// SetDelegation lets the partner that sold to an account manage it (a
// partner account ID), or ends the delegation ("").
func (c *Client) SetDelegation(ctx context.Context, accountID, partnerAccountID string) (api.Account, error) {
	var out api.Account
	b, err := json.Marshal(api.DelegationRequest{PartnerAccountID: partnerAccountID})
	if err != nil {
		return out, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPut, Path: "/v1/accounts/" + url.PathEscape(accountID) + "/delegation",
		Body: b, Key: newIdempotencyKey()}, &out)
	return out, err
}

// AccountAudit lists the recorded transitions of an account (members,
// delegation, orders, integrations, its licenses' seats).
func (c *Client) AccountAudit(ctx context.Context, accountID string) ([]api.AuditEvent, error) {
	var evs []api.AuditEvent
	err := c.get(ctx, "/v1/accounts/"+url.PathEscape(accountID)+"/audit", nil, &evs)
	return evs, err
}

// Subscriptions lists the expiry and renewal state of the licenses and
// keys the user holds, as the portal sees them now.
func (c *Client) Subscriptions(ctx context.Context) ([]api.Subscription, error) {
	var out []api.Subscription
	err := c.get(ctx, "/v1/subscriptions", nil, &out)
	return out, err
}

// UpgradeNotices lists the upgrade notifications sent to the caller's
// accounts and not exchanged yet.
func (c *Client) UpgradeNotices(ctx context.Context) ([]api.UpgradeNotice, error) {
	var out []api.UpgradeNotice
	err := c.get(ctx, "/v1/upgrades", nil, &out)
	return out, err
}

// SetLanguage keeps the language the portal writes its e-mails to the user
// in (en, pt-BR, es or fr; a close tag reads as the nearest), and returns
// the user as the portal now has them. Setting it twice is harmless, so it
// needs no idempotency key.
func (c *Client) SetLanguage(ctx context.Context, lang string) (api.User, error) {
	var out api.User
	b, err := json.Marshal(api.ProfileUpdate{Language: lang})
	if err != nil {
		return out, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPatch, Path: "/v1/me", Body: b}, &out)
	return out, err
}
