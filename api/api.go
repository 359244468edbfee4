// Package api is the wire contract between licportal and its clients: the
// JSON bodies of every endpoint under /v1. openapi.yaml beside this file
// describes the same contract for people and other tools.
//
// Times are RFC 3339 in UTC. Identifiers are opaque strings.
package api

import (
	"encoding/json"
	"time"
)

// MaxBodyBytes is the largest request body the portal accepts.
const MaxBodyBytes = 1 << 20

// IdempotencyHeader names the request header that makes a write safe to
// replay: the portal answers a repeated key with the first answer.
const IdempotencyHeader = "Idempotency-Key"

// ProblemContentType is the media type of every error answer (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an error answer. Code is stable and machine-readable (for
// example "seat.full"); Detail is one line for people.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	// Kind is the domain kind of the refusal: invalid, not_found, conflict,
	// forbidden, unauthorized, too_many, ...
	Kind string `json:"kind,omitempty"`
}

// Credentials sign a user up or in.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Name is used at sign-up only; it defaults to the e-mail's local part.
	Name string `json:"name,omitempty"`
	// AccountName names the account created at sign-up; it defaults to Name.
	AccountName string `json:"account_name,omitempty"`
}

// Session is the answer to a sign-up or login.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// User is a person who can log in.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Membership is one account the user may act in, and in which role.
type Membership struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	// Role is owner, admin, member, or partner (acting for a customer that
	// delegated management to the user's partner account).
	Role string `json:"role"`
	// Partner is true when the account is a reseller's.
	Partner bool `json:"partner,omitempty"`
	// DelegatedTo is the partner account managing this account, if any.
	DelegatedTo string `json:"delegated_to,omitempty"`
}

// Me describes the caller.
type Me struct {
	User        User         `json:"user"`
	Memberships []Membership `json:"memberships"`
}

// Seat is one seat of a license.
type Seat struct {
	ID    string `json:"id"`
	State string `json:"state"` // available, assigned, pending
	Email string `json:"email,omitempty"`
}

// Solution is a license seen by those who manage its account ("Active
// solutions"), with its seats.
type Solution struct {
	LicenseID      string    `json:"license_id"`
	AccountID      string    `json:"account_id"`
	OwnerName      string    `json:"owner_name"`
	Product        string    `json:"product"`
	Edition        string    `json:"edition"`
	Modules        []string  `json:"modules"`
	ContractNumber string    `json:"contract_number"`
	ContractStart  time.Time `json:"contract_start"`
	AutoRenewal    time.Time `json:"auto_renewal"`
	SupportEnd     time.Time `json:"support_end"`
	Expiry         time.Time `json:"expiry"`
	Contracted     int       `json:"seats_contracted"`
	AssignedOthers int       `json:"seats_assigned_to_others"`
	Available      int       `json:"seats_available"`
	SupportStatus  string    `json:"support_status"`
	LicenseStatus  string    `json:"license_status"`
	// Action is what the license needs, such as "renew"; empty when nothing.
	Action string `json:"action,omitempty"`
	// OrderID is the partner order the license came from, if any.
	OrderID string `json:"order_id,omitempty"`
	Seats   []Seat `json:"seats"`
}

// SeatRequest assigns or removes a seat by e-mail.
type SeatRequest struct {
	Email string `json:"email"`
}

// ReassignRequest moves a seat from one e-mail to another.
type ReassignRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// AssignedLicense is one owner's license of a product held by the caller.
type AssignedLicense struct {
	LicenseID string    `json:"license_id"`
	OwnerName string    `json:"owner_name"`
	AccountID string    `json:"account_id"`
	Edition   string    `json:"edition"`
	Modules   []string  `json:"modules"`
	Expiry    time.Time `json:"expiry"`
	// State is the caller's seat: assigned or pending.
	State string `json:"state"`
	// Default marks the license the program runs with unless one is adopted.
	Default bool `json:"default"`
	// Adopted marks the license the caller adopted.
	Adopted bool `json:"adopted"`
}

// AssignedProduct groups the licenses of one product assigned to the caller
// ("Assigned to you").
type AssignedProduct struct {
	Product string `json:"product"`
	// Effective is the license the program runs with.
	Effective string `json:"effective_license_id"`
	// Adoption is "adopted" or "default".
	Adoption string            `json:"adoption"`
	Licenses []AssignedLicense `json:"licenses"`
}

// AdoptRequest picks the license a product runs with.
type AdoptRequest struct {
	LicenseID string `json:"license_id"`
}

// Order is a partner's purchase, assigned whole to a customer account.
type Order struct {
	ID               string     `json:"id"`
	PartnerAccountID string     `json:"partner_account_id"`
	Product          string     `json:"product"`
	Edition          string     `json:"edition"`
	Modules          []string   `json:"modules"`
	Quantity         int        `json:"quantity"`
	CreatedAt        time.Time  `json:"created_at"`
	AssignedTo       string     `json:"assigned_to,omitempty"`
	AssignedToName   string     `json:"assigned_to_name,omitempty"`
	AssignedAt       *time.Time `json:"assigned_at,omitempty"`
	LicenseIDs       []string   `json:"license_ids"`
}

// NewOrder is a partner's purchase.
type NewOrder struct {
	Product  string   `json:"product"`
	Edition  string   `json:"edition"`
	Modules  []string `json:"modules"`
	Quantity int      `json:"quantity"`
	// Months is the term of the licenses; 12 when zero.
	Months int `json:"months,omitempty"`
}

// AssignOrderRequest names the customer account an order goes to.
type AssignOrderRequest struct {
	AccountID string `json:"account_id"`
}

// DelegationRequest lets a partner manage a customer's account, or stops it
// when PartnerAccountID is empty.
type DelegationRequest struct {
	PartnerAccountID string `json:"partner_account_id"`
}

// Account is an account as its managers see it.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Partner     bool   `json:"partner"`
	DelegatedTo string `json:"delegated_to,omitempty"`
}

// Integration is the per-account, per-product pair of switches and each
// user's visible license switch.
type Integration struct {
	AccountID          string            `json:"account_id"`
	Product            string            `json:"product"`
	ProductOn          bool              `json:"product_integration"`
	ExternalController bool              `json:"external_controller"`
	FreeLicenses       int               `json:"free_licenses"`
	Users              []IntegrationUser `json:"users"`
}

// IntegrationUser is one user's license switch as the console shows it.
type IntegrationUser struct {
	Email string `json:"email"`
	// State is on, off, read-only on, No licenses, Licenses not available.
	State    string `json:"state"`
	Active   bool   `json:"active"`
	ReadOnly bool   `json:"read_only"`
	Enabled  bool   `json:"enabled"`
}

// IntegrationSwitches sets an account's switches for a product; a nil field
// is left as it is.
type IntegrationSwitches struct {
	ProductOn          *bool `json:"product_integration,omitempty"`
	ExternalController *bool `json:"external_controller,omitempty"`
}

// UserSwitch turns one user's license on or off.
type UserSwitch struct {
	Email string `json:"email"`
	On    bool   `json:"on"`
}

// Member is a user of an account with a role.
type Member struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	Role  string `json:"role"`
}

// Product is a product registered to an account ("My products").
type Product struct {
	AccountID    string           `json:"account_id"`
	Product      string           `json:"product"`
	Source       string           `json:"source"`
	RegisteredAt time.Time        `json:"registered_at"`
	Licenses     []ProductLicense `json:"licenses"`
}

// ProductLicense is one license number under a product, with its renewal
// date, the user group it belongs to and the caller's role there.
type ProductLicense struct {
	Number      string    `json:"number"`
	RenewalDate time.Time `json:"renewal_date"`
	UserGroup   string    `json:"user_group"`
	Role        string    `json:"role"`
}

// RegisterProductRequest registers a product by one of its license numbers
// (recommended) or, without a number, by the product's name as picked from
// the list.
type RegisterProductRequest struct {
	AccountID string `json:"account_id,omitempty"`
	Number    string `json:"number,omitempty"`
	Product   string `json:"product,omitempty"`
}

// MemberRequest gives a user a role in an account.
type MemberRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// AuditEvent is one recorded transition.
type AuditEvent struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	AccountID string    `json:"account_id"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Subject   string    `json:"subject"`
	Before    string    `json:"before,omitempty"`
	After     string    `json:"after,omitempty"`
}

// Change kinds in the change feed.
const (
	KindSolution    = "solution"
	KindAssigned    = "assigned"
	KindOrder       = "order"
	KindIntegration = "integration"
	KindProduct     = "product"
	KindAccount     = "account"
)

// Change is the current state of one object the caller may see, or its
// removal from the caller's view.
type Change struct {
	Kind    string          `json:"kind"`
	ID      string          `json:"id"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Changes is a page of the change feed. The client stores Cursor and asks
// again with it; while Complete is false it asks at once.
type Changes struct {
	Cursor string `json:"cursor"`
	// Resync tells the client to drop its copy before applying this page:
	// the feed restarted from a snapshot (first pull, or a cursor the server
	// no longer holds).
	Resync   bool     `json:"resync,omitempty"`
	Complete bool     `json:"complete"`
	Changes  []Change `json:"changes"`
}
