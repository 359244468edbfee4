package api

import (
	"net/http"
	"sort"

	"github.com/licdesk/licdesk/core"
)

// CodeInfo is the registry's entry for one published error code: the code
// both sides switch on, the core.Kind it comes with, the HTTP status the
// portal answers it with, and the one line the client shows for it.
type CodeInfo struct {
	Code string
	// Kind is the kind the code comes with. A few codes come with more than
	// one (activation.inactive is a Conflict on deactivation, Forbidden on
	// renewal); the problem's status tells them apart on the wire.
	Kind core.Kind
	// Status is the HTTP status of the problem+json answer; 0 for a code
	// only the client makes (its own input checks and transport failures).
	Status int
	// Message is what the client shows instead of the portal's detail,
	// worded for someone at the command line or in the window; "" shows
	// the detail, which names the object concerned. It is the English of
	// the catalog's "error.<code>" (i18n/catalog), which words the code in
	// every language; a test keeps the two equal.
	Message string
	// Args are the names of the specifics every site of the code gives
	// (core.Error.Args, the problem's args): the only placeholders the
	// catalog's wording of the code may use.
	Args []string
}

// with documents the Args every site of a code gives.
func (c CodeInfo) with(args ...string) CodeInfo {
	c.Args = args
	return c
}

// StatusOf is the HTTP status the portal answers a refusal of a kind with.
func StatusOf(k core.Kind) int {
	switch k {
	case core.Invalid:
		return http.StatusBadRequest
	case core.NotFound:
		return http.StatusNotFound
	case core.Conflict:
		return http.StatusConflict
	case core.Forbidden:
		return http.StatusForbidden
	case core.Expired:
		return http.StatusGone
	case core.Offline:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// KindOfStatus is the core.Kind a problem's status stands for, when the
// status is one StatusOf gives a domain kind; ok is false for the others
// (401, 413, 429, 5xx ...), whose kind the registry says.
func KindOfStatus(status int) (k core.Kind, ok bool) {
	switch status {
	case http.StatusBadRequest:
		return core.Invalid, true
	case http.StatusNotFound:
		return core.NotFound, true
	case http.StatusConflict:
		return core.Conflict, true
	case http.StatusForbidden:
		return core.Forbidden, true
	case http.StatusGone:
		return core.Expired, true
	}
	return core.Other, false
}

// LookupCode returns the registry's entry for a code; ok is false for a
// code the registry does not hold (a newer portal's, say).
func LookupCode(code string) (CodeInfo, bool) {
	for _, c := range codeRegistry() {
		if c.Code == code {
			return c, true
		}
	}
	return CodeInfo{}, false
}

// Codes lists every published code's entry, sorted by code.
func Codes() []CodeInfo {
	cs := codeRegistry()
	sort.Slice(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code })
	return cs
}

// domain is a code of a domain refusal, answered with its kind's status.
func domain(code string, k core.Kind, msg string) CodeInfo {
	return CodeInfo{Code: code, Kind: k, Status: StatusOf(k), Message: msg}
}

// codeRegistry is the one list of published error codes: core's and the
// activation files' (core.E, core.Wrap), the portal's own refusals of the
// HTTP layer, and the client's own. A test walks the source and fails on a
// code made anywhere that is missing here. It is built on each call so
// that no package state can be changed; it is read on error paths only.
func codeRegistry() []CodeInfo {
	return []CodeInfo{
		// Addresses, roles, access.
		domain(core.CodeEmailEmpty, core.Invalid, ""),
		domain(core.CodeEmailTooLong, core.Invalid, ""),
		domain(core.CodeEmailInvalid, core.Invalid, ""),
		domain(core.CodeRoleUnknown, core.Invalid, ""),
		domain(core.CodeAccessNoRole, core.Forbidden, "you have no role in that account"),
		domain(core.CodeAccessDenied, core.Forbidden, "your role in that account does not allow this"),

		// Accounts and sessions.
		domain("account.exists", core.Conflict, "an account already exists for this e-mail: log in instead"),
		domain("account.name", core.Invalid, ""),
		domain("account.not_found", core.NotFound, ""),
		domain("account.password", core.Invalid, "the password must have 10 to 256 characters"),
		domain("account.language", core.Invalid, "the language must be one of en, pt-BR, es, fr"),
		{Code: "auth.credentials", Kind: core.Other, Status: http.StatusUnauthorized, Message: "wrong e-mail or password"},
		{Code: "auth.rate_limited", Kind: core.Other, Status: http.StatusTooManyRequests},
		{Code: "rate_limited", Kind: core.Other, Status: http.StatusTooManyRequests},
		{Code: "portal.busy", Kind: core.Other, Status: http.StatusServiceUnavailable},
		{Code: "auth.required", Kind: core.Other, Status: http.StatusUnauthorized, Message: "not logged in: run licdesk login"},
		{Code: "auth.token", Kind: core.Forbidden, Status: http.StatusUnauthorized, Message: "your session has ended: log in again with licdesk login"},
		domain("member.no_account", core.NotFound, "").with("Email"),
		domain("member.owner", core.Invalid, ""),
		domain("delegation.not_your_partner", core.Forbidden, ""),
		domain("audit.scope", core.Invalid, ""),

		// Licenses and seats.
		domain(core.CodeLicenseInvalid, core.Invalid, ""),
		domain("license.not_found", core.NotFound, "no such license in your accounts"),
		domain("not_found", core.NotFound, "no such object in your accounts"),
		domain(core.CodeSeatStateUnknown, core.Invalid, ""),
		domain(core.CodeSeatDuplicate, core.Conflict, "that e-mail already holds a seat of this license"),
		domain(core.CodeSeatFull, core.Conflict, "no seat of this license is free: remove someone first or buy more seats"),
		domain(core.CodeSeatNotHeld, core.NotFound, "no seat of this license is held by that e-mail"),
		domain(core.CodeCloudLoginNoSeat, core.Forbidden, "").with("Email"),
		domain(core.CodeCloudLoginPending, core.Forbidden, "").with("Email"),
		domain(core.CodeCloudLoginExpired, core.Expired, "").with("Email"),
		domain(core.CodeEditionUnknown, core.Invalid, ""),
		domain(core.CodeAdoptionNone, core.NotFound, "no license of that product is assigned to you"),
		domain(core.CodeAdoptionNotHeld, core.NotFound, "that license is not assigned to you"),

		// Partner orders.
		domain(core.CodeOrderAssigned, core.Conflict, "that order was already assigned to a customer"),
		domain(core.CodeOrderCustomer, core.NotFound, "no such customer account, or it did not buy from you"),
		domain(core.CodeOrderLicenseMissing, core.NotFound, "").with("License", "Order"),
		domain(core.CodeOrderLicenseOwner, core.Conflict, "").with("License", "Order"),
		domain(core.CodeOrderSeatsInUse, core.Conflict, "").with("License", "Order"),
		domain("order.not_found", core.NotFound, "no such order"),
		domain("order.not_partner", core.Forbidden, "only a partner account assigns orders"),
		domain("order.product", core.Invalid, ""),
		domain("order.quantity", core.Invalid, ""),
		domain("order.months", core.Invalid, ""),

		// Integrations.
		domain(core.CodeIntegrationOff, core.Forbidden, "").with("Product"),
		domain(core.CodeIntegrationReadOnly, core.Forbidden, "").with("Product"),
		domain(core.CodeIntegrationNoFree, core.Conflict, ""),
		domain("integration.product", core.Invalid, ""),

		// Products, registration, serials and keys.
		domain(core.CodeProductMissing, core.Invalid, ""),
		domain(core.CodeProductSourceUnknown, core.Invalid, ""),
		domain(core.CodeProductName, core.Invalid, ""),
		domain(core.CodeProductUnknown, core.NotFound, "").with("Product"),
		domain(core.CodeProductNotListed, core.NotFound, ""),
		domain("product.license_unknown", core.NotFound, ""),
		domain(core.CodeVersionFormat, core.Invalid, ""),
		domain(core.CodeRegistrationMissing, core.Invalid, ""),
		domain(core.CodeRegistrationField, core.Invalid, ""),
		domain(core.CodeRegistrationCountry, core.Invalid, ""),
		domain(core.CodeRegistrationPhone, core.Invalid, ""),
		domain(core.CodeSerialFormat, core.Invalid, ""),
		domain(core.CodeSerialChecksum, core.Invalid, ""),
		domain("serial.unknown", core.NotFound, "").with("Serial"),
		domain("serial.used", core.Conflict, "").with("Serial", "Date"),
		domain(core.CodeKeyKind, core.Invalid, ""),
		domain(core.CodeKeyFormat, core.Invalid, ""),
		domain(core.CodeKeyChecksum, core.Invalid, ""),
		domain(core.CodeKeyInstallOffline, core.Offline, ""),
		domain("key.account", core.Invalid, ""),
		domain("key.activate_separately", core.Invalid, ""),
		domain("key.expired", core.Expired, "").with("Key", "Date"),
		domain("key.not_found", core.NotFound, ""),
		domain("key.other_account", core.Forbidden, "").with("Key"),
		domain("key.spec", core.Invalid, ""),
		domain("key.unknown", core.NotFound, "").with("Key"),
		domain(core.CodeUpgradeNotification, core.Invalid, ""),
		domain(core.CodeUpgradeProduct, core.Invalid, ""),
		domain(core.CodeUpgradeQuantity, core.Invalid, ""),
		domain("upgrade.notification_unknown", core.NotFound, ""),
		domain("upgrade.notification_used", core.Conflict, "").with("Notification", "Date", "Key"),
		domain("upgrade.product_not_offered", core.Invalid, ""),
		domain("upgrade.quantity_exceeds", core.Invalid, ""),

		// Activations and their files.
		domain(core.CodeActivationInvalid, core.Invalid, ""),
		domain(core.CodeActivationFingerprint, core.Invalid, ""),
		domain(core.CodeActivationInactive, core.Conflict, ""),
		domain(core.CodeActivationGraceExpired, core.Expired, ""),
		domain("activation.install_key_offline", core.Invalid, ""),
		domain("activation.limit", core.Conflict, "").with("Key", "Active", "Max"),
		domain("activation.other_machine", core.Forbidden, "that file or request is another machine's: activate this machine with its own key"),
		domain("activation.rebind_limit", core.Conflict, ""),
		domain("signing_key.not_found", core.NotFound, "").with("Key"),
		domain("signing_key.active", core.Conflict, "").with("Key"),
		domain("signing_key.revoked", core.Conflict, "").with("Key"),
		domain("activation.not_found", core.NotFound, ""),
		domain("activation.receipt_stale", core.Conflict, "").with("Machine"),
		domain("activation.receipt_time", core.Invalid, ""),
		domain("activation.request_replayed", core.Conflict, ""),
		{Code: "activation.request_too_large", Kind: core.Invalid, Status: http.StatusRequestEntityTooLarge},
		domain("activation.request_malformed", core.Invalid, ""),
		domain("activation.request_checksum", core.Invalid, ""),
		domain("activation.request_version", core.Invalid, ""),
		domain("activation.request_invalid", core.Invalid, ""),
		{Code: "activation.receipt_too_large", Kind: core.Invalid, Status: http.StatusRequestEntityTooLarge},
		domain("activation.receipt_malformed", core.Invalid, ""),
		domain("activation.receipt_checksum", core.Invalid, ""),
		domain("activation.receipt_version", core.Invalid, ""),
		domain("activation.receipt_invalid", core.Invalid, ""),
		domain("activation.receipt_mac", core.Forbidden, ""),
		domain("activation.response_too_large", core.Invalid, ""),
		domain("activation.response_malformed", core.Invalid, ""),
		domain("activation.response_untrusted", core.Forbidden, ""),
		domain("activation.response_mismatch", core.Invalid, ""),

		// Downloads, support requests, news.
		domain(core.CodeDownloadName, core.Invalid, ""),
		domain(core.CodeDownloadSize, core.Invalid, ""),
		domain(core.CodeDownloadDigest, core.Invalid, ""),
		domain(core.CodeDownloadExists, core.Conflict, "").with("Product", "Name"),
		domain(core.CodeDownloadNotFound, core.NotFound, ""),
		domain("download.unavailable", core.Offline, ""),
		{Code: "download.range", Kind: core.Other, Status: http.StatusRequestedRangeNotSatisfiable},
		domain(core.CodeRequestTitle, core.Invalid, ""),
		domain(core.CodeRequestText, core.Invalid, ""),
		domain(core.CodeRequestID, core.Invalid, ""),
		domain(core.CodeRequestNotFound, core.NotFound, ""),
		domain(core.CodeRequestState, core.Invalid, ""),
		domain(core.CodeRequestClosed, core.Conflict, ""),
		domain(core.CodeRequestUnchanged, core.Conflict, ""),
		domain(core.CodeRequestMove, core.Forbidden, ""),
		domain(core.CodeRequestCloser, core.Forbidden, ""),
		domain(core.CodeNewsTitle, core.Invalid, ""),
		domain(core.CodeNewsBody, core.Invalid, ""),
		domain(core.CodeNewsSeverity, core.Invalid, ""),

		// The sync contract and the shape of requests (the portal's HTTP layer).
		domain("feed.cursor", core.Invalid, "the portal refused the sync position; run licdesk sync again"),
		domain("idempotency.reused", core.Conflict, "this write's key was already used for a different request (a client bug): write it again"),
		domain("request.after", core.Invalid, ""),
		domain("request.limit", core.Invalid, ""),
		domain("account.requests_limit", core.Conflict, "").with("Max"),
		domain("request.comments_limit", core.Conflict, "").with("Max"),
		domain("request.invalid_text", core.Invalid, ""),
		domain("text.empty", core.Invalid, ""),
		domain("text.too_long", core.Invalid, ""),
		domain("text.invalid", core.Invalid, ""),
		domain("member.role", core.Invalid, "a member's role is admin or member"),
		domain("member.unverified", core.Conflict, "that person's e-mail address is not verified yet"),
		domain("member.not_member", core.NotFound, ""),
		domain("offer.not_found", core.NotFound, ""),
		domain("account.unverified", core.Forbidden, "verify your e-mail address first: licdesk verify CODE (the code is in the e-mail the portal sent)"),
		domain("account.members_limit", core.Conflict, "").with("Max"),
		domain("account.products_limit", core.Conflict, "").with("Max"),
		domain("order.modules", core.Invalid, ""),
		domain("idempotency.applied", core.Conflict, ""),
		domain("conflict.duplicate", core.Conflict, ""),
		domain("conflict.reference", core.Conflict, ""),
		domain("verify.code", core.Invalid, "that code is wrong or has expired: licdesk verify --resend sends a new one"),
		domain("route.unknown", core.NotFound, ""),
		domain("route.method", core.Invalid, ""),
		domain("request.empty", core.Invalid, ""),
		domain("request.idempotency_key", core.Invalid, ""),
		domain("request.malformed", core.Invalid, ""),
		domain("request.unknown_field", core.Invalid, ""),
		domain("request.unreadable", core.Invalid, ""),
		{Code: "request.content_type", Kind: core.Invalid, Status: http.StatusUnsupportedMediaType,
			Message: "the portal refused the request's content type (a client bug)"},
		{Code: "request.too_large", Kind: core.Invalid, Status: http.StatusRequestEntityTooLarge,
			Message: "the request is too large for the portal"},
		{Code: "internal", Kind: core.Other, Status: http.StatusInternalServerError,
			Message: "the portal failed to answer; try again later"},

		// The client's own: its checks of a write before it is queued, and
		// its failures to get an answer.
		{Code: "request.argument", Kind: core.Invalid},
		{Code: "request.local", Kind: core.Invalid},
		{Code: "request.path", Kind: core.Invalid},
		{Code: "integration.switches", Kind: core.Invalid},
		{Code: "key.install", Kind: core.Invalid},
		{Code: "product.number", Kind: core.Invalid},
		{Code: "portal.url", Kind: core.Invalid},
		{Code: "portal.insecure", Kind: core.Invalid},
		{Code: "network", Kind: core.Offline},
		{Code: "timeout", Kind: core.Offline},
		{Code: "response.too_large", Kind: core.Other},
		{Code: "response.malformed", Kind: core.Other},
	}
}
