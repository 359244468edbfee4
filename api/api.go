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

// IdempotencyRetention is how long the portal remembers the answer to an
// idempotency key. A client must not replay a write older than this
// blindly: the portal may have applied it and forgotten the key.
const IdempotencyRetention = 7 * 24 * time.Hour

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
	// Verified is false until the code e-mailed at sign-up is entered
	// (POST /v1/verify); an unverified user takes no Pending seat and
	// cannot accept membership offers.
	Verified bool `json:"verified"`
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
	LicenseID string `json:"license_id"`
	AccountID string `json:"account_id"`
	OwnerName string `json:"owner_name"`
	// OwnerEmail is the account owner's login: a seat it holds is the
	// owner's own use, not one "assigned to others".
	OwnerEmail     string    `json:"owner_email,omitempty"`
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

// SeatChange is the answer to a seat write asked for with
// "Prefer: return=minimal": the one seat the write changed, before and
// after, instead of the license's whole view (which grows with its seats).
type SeatChange struct {
	LicenseID string `json:"license_id"`
	Before    Seat   `json:"before"`
	After     Seat   `json:"after"`
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
	ID               string `json:"id"`
	PartnerAccountID string `json:"partner_account_id"`
	// PartnerName is the name of the partner's account.
	PartnerName    string     `json:"partner_name,omitempty"`
	Product        string     `json:"product"`
	Edition        string     `json:"edition"`
	Modules        []string   `json:"modules"`
	Quantity       int        `json:"quantity"`
	CreatedAt      time.Time  `json:"created_at"`
	AssignedTo     string     `json:"assigned_to,omitempty"`
	AssignedToName string     `json:"assigned_to_name,omitempty"`
	AssignedAt     *time.Time `json:"assigned_at,omitempty"`
	LicenseIDs     []string   `json:"license_ids"`
}

// NewOrder is a partner's purchase.
type NewOrder struct {
	Product  string   `json:"product"`
	Edition  string   `json:"edition"`
	Modules  []string `json:"modules,omitempty"`
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
	// Status is "member", or "offered" while the person has not accepted
	// the offer yet.
	Status string `json:"status,omitempty"`
}

// Offer is an account's offer of membership waiting for the caller to
// accept (POST /v1/offers/{account}/accept) or decline it. In the change
// feed: kind "offer", ID the account; a deletion when it was answered or
// withdrawn.
type Offer struct {
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	Role        string    `json:"role"`
	OfferedBy   string    `json:"offered_by"`
	OfferedAt   time.Time `json:"offered_at"`
}

// KindOffer is the change-feed kind of a membership offer.
const KindOffer = "offer"

// VerifyRequest proves an address with the code the portal e-mailed.
type VerifyRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

// ResendRequest asks for a new verification code.
type ResendRequest struct {
	Email string `json:"email"`
}

// HandOverRequest names the verified member who becomes the owner.
type HandOverRequest struct {
	Email string `json:"email"`
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

// MaxChangesPageBytes is the byte budget of one page of the change feed:
// a page ends at the first object that takes it over this size, so a page
// is at most this plus one object, however large the caller's data.
const MaxChangesPageBytes = 4 << 20

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

// ---------------------------------------------------------------------
// Keys, activations, signing keys, leases and subscriptions (issue 4).
// ---------------------------------------------------------------------

// Change kinds of keys and activations in the change feed.
const (
	KindKey        = "key"        // ID: the key; Data: Key
	KindActivation = "activation" // ID: the activation ID; Data: Activation
)

// WellKnownKeysPath is where the portal publishes the public keys it signs
// license files with (no login needed): the licensefile public-key
// document, every key still trusted, the active one among them.
const WellKnownKeysPath = "/.well-known/licdesk-keys.json"

// ActivationRequestContentType is the media type of an offline activation
// request file posted as it is.
const ActivationRequestContentType = "application/vnd.licdesk.activation-request"

// Registration is the product and support registration given when a serial
// becomes a key (seeds 001, 002). Country is an ISO 3166-1 alpha-2 code.
type Registration struct {
	Company string `json:"company"`
	Person  string `json:"person"`
	Address string `json:"address"`
	Country string `json:"country"`
	Email   string `json:"email"`
	Phone   string `json:"phone,omitempty"`
}

// GetKeyRequest turns a serial number into a key ("Get a license key"):
// without Confirm the portal answers a KeyPreview to show the user; with
// Confirm it issues the key.
type GetKeyRequest struct {
	Serial       string       `json:"serial"`
	Registration Registration `json:"registration"`
	// AccountID is the account the key goes to; the caller's own when empty.
	AccountID string `json:"account_id,omitempty"`
	Confirm   bool   `json:"confirm,omitempty"`
}

// KeyPreview is what confirming a serial would issue, for the user to check
// before confirming.
type KeyPreview struct {
	Serial      string   `json:"serial"`
	Product     string   `json:"product"`
	Edition     string   `json:"edition"`
	Modules     []string `json:"modules"`
	Kind        string   `json:"kind"` // install or license
	Capacity    int      `json:"capacity"`
	Unit        string   `json:"unit"`
	Activations int      `json:"max_activations"`
	// Months is the subscription term from confirmation; 0 is perpetual.
	Months       int          `json:"months"`
	Expiry       *time.Time   `json:"expiry,omitempty"`
	AccountID    string       `json:"account_id"`
	AccountName  string       `json:"account_name"`
	Registration Registration `json:"registration"`
}

// UpgradeNotice is a version upgrade notification sent to an account and
// not exchanged yet: Upgrade offers them instead of an ID typed by hand.
type UpgradeNotice struct {
	ID          string `json:"id"`
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	// Products are what the notice may be exchanged for, one of them.
	Products    []string  `json:"products"`
	MaxQuantity int       `json:"max_quantity"`
	SentAt      time.Time `json:"sent_at"`
}

// UpgradeKeyRequest asks for the key of a version upgrade (source 001): the
// notification ID received, the product chosen among those it offers, and
// the quantity. Registration, when given, replaces the support registration
// carried over from the upgraded key.
type UpgradeKeyRequest struct {
	NotificationID string        `json:"notification_id"`
	Product        string        `json:"product"`
	Quantity       int           `json:"quantity"`
	Registration   *Registration `json:"registration,omitempty"`
}

// AddKeyRequest adds a key to an account. An install key is activated on
// the machine at once, so it needs Fingerprint and Machine; a license key
// is only added, and activated later.
type AddKeyRequest struct {
	Key         string            `json:"key"`
	AccountID   string            `json:"account_id,omitempty"`
	Fingerprint map[string]string `json:"fingerprint,omitempty"`
	Machine     string            `json:"machine,omitempty"`
}

// AddedKey answers an added key; Activation is set when an install key was
// activated as it was added.
type AddedKey struct {
	Key        Key        `json:"key"`
	Activation *Activated `json:"activation,omitempty"`
}

// Key is a license or install key held by an account, with its activations.
type Key struct {
	Key         string   `json:"key"`
	Kind        string   `json:"kind"` // install or license
	AccountID   string   `json:"account_id"`
	AccountName string   `json:"account_name"`
	Product     string   `json:"product"`
	Edition     string   `json:"edition"`
	Modules     []string `json:"modules"`
	Capacity    int      `json:"capacity"`
	Unit        string   `json:"unit"`
	// MaxActivations is how many machines the key may be active on at once.
	MaxActivations    int `json:"max_activations"`
	ActiveActivations int `json:"active_activations"`
	// Source is how the key came: serial, upgrade or vendor.
	Source         string     `json:"source"`
	Serial         string     `json:"serial,omitempty"`
	NotificationID string     `json:"notification_id,omitempty"`
	IssuedAt       time.Time  `json:"issued_at"`
	AddedAt        time.Time  `json:"added_at"`
	Expiry         *time.Time `json:"expiry,omitempty"`
	// Renewed says the subscription goes on past Expiry.
	Renewed bool `json:"renewed"`
	// Status is active (activated somewhere), added (not activated) or
	// expired.
	Status       string        `json:"status"`
	Registration *Registration `json:"registration,omitempty"`
	Activations  []Activation  `json:"activations"`
}

// KeyList is the caller's keys with the capacity they add up to.
type KeyList struct {
	Keys     []Key      `json:"keys"`
	Capacity []Capacity `json:"capacity"`
}

// Capacity is the sum, per product and unit, over an account's keys that
// are activated and not expired (source 002).
type Capacity struct {
	AccountID string `json:"account_id"`
	Product   string `json:"product"`
	Unit      string `json:"unit"`
	Total     int    `json:"total"`
	Keys      int    `json:"keys"`
}

// Activation binds a key to one machine's fingerprint.
type Activation struct {
	ID          string            `json:"id"`
	Key         string            `json:"key"`
	AccountID   string            `json:"account_id"`
	Product     string            `json:"product"`
	Machine     string            `json:"machine"`
	Fingerprint map[string]string `json:"fingerprint"`
	// Mode is how it was made: online, offline or install.
	Mode          string     `json:"mode"`
	State         string     `json:"state"` // active or deactivated
	ActivatedAt   time.Time  `json:"activated_at"`
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
	// DeactivatedBy is online or receipt.
	DeactivatedBy string `json:"deactivated_by,omitempty"`
}

// ActivateRequest activates a key online for this machine. Nonce (32
// lower-case hex digits) is optional; the response echoes it.
type ActivateRequest struct {
	Key         string            `json:"key"`
	Fingerprint map[string]string `json:"fingerprint"`
	Machine     string            `json:"machine"`
	Nonce       string            `json:"nonce,omitempty"`
}

// Activated answers an activation, online or offline. LicenseFile is the
// signed, node-locked license file; Response is the signed activation
// response file (core/activation) that carries it with the nonce and the
// secret for an offline deactivation receipt. Reused is true when the
// machine already held an activation of the key, which was renewed.
type Activated struct {
	Activation  Activation `json:"activation"`
	Reused      bool       `json:"reused"`
	Rebound     bool       `json:"rebound,omitempty"` // reused, and re-bound to changed hardware (audited, limited per key)
	LicenseFile string     `json:"license_file"`
	Response    string     `json:"response"`
}

// Deactivated answers a deactivation by receipt: Confirmation is a signed
// license file of kind deactivation_receipt that proves the seat was freed.
type Deactivated struct {
	Activation   Activation `json:"activation"`
	Confirmation string     `json:"confirmation"`
}

// LeaseRequest renews the offline lease of a cloud-login program.
type LeaseRequest struct {
	Product string `json:"product"`
	// Fingerprint is the calling machine's hardware fingerprint; the lease
	// is bound to it like an activation, so that a copy on another machine
	// is refused. Clients must send it (an older client that does not gets
	// an unbound lease).
	Fingerprint map[string]string `json:"fingerprint,omitempty"`
}

// Lease is a signed lease (licensefile kind lease) of the license the
// caller's program runs with: adopted, or the default pick.
type Lease struct {
	Product   string     `json:"product"`
	LicenseID string     `json:"license_id"`
	OwnerName string     `json:"owner_name"`
	Adoption  string     `json:"adoption"` // adopted or default
	LeaseEnd  time.Time  `json:"lease_end"`
	Expiry    *time.Time `json:"expiry,omitempty"`
	LeaseFile string     `json:"lease_file"`
}

// Subscription is the expiry and renewal state of one license or key the
// caller holds, for the 10-day banner and the unreachable countdown (seed
// 002). The client recomputes Phase offline from Expiry and Renewed.
type Subscription struct {
	Source  string     `json:"source"` // license or key
	ID      string     `json:"id"`     // license ID or key
	Product string     `json:"product"`
	Expiry  *time.Time `json:"expiry,omitempty"` // none: perpetual
	Renewed bool       `json:"renewed"`
	// Phase is active, warning or stopped as the portal sees it now.
	Phase    string `json:"phase"`
	DaysLeft int    `json:"days_left"`
	// WarnFrom is when the banner starts (Expiry less WarnDays days);
	// StopsIfUnreachable is when a client that cannot reach the portal
	// stops (Expiry plus WarnDays days).
	WarnFrom           *time.Time `json:"warn_from,omitempty"`
	StopsIfUnreachable *time.Time `json:"stops_if_unreachable,omitempty"`
	WarnDays           int        `json:"warn_days"`
}

// ---------------------------------------------------------------------
// Downloads, service requests and news (issue 4, "My products").
// ---------------------------------------------------------------------

// Change kinds of downloads, service requests and news in the change feed.
// Downloads and news are grouped per product, because what changes them
// (a new file, a news item, a visit) touches a product's whole list.
const (
	KindDownload = "download" // ID: the product; Data: ProductDownloads
	KindRequest  = "request"  // ID: the request ("SR-000123"); Data: ServiceRequest with comments
	KindNews     = "news"     // ID: the product; Data: ProductNews
)

// DownloadFile is a file the vendor publishes for a product, as one caller
// sees it. GET /v1/downloads/{id}/content serves its bytes (HTTP Range
// supported, ETag = the quoted SHA-256).
type DownloadFile struct {
	ID         string    `json:"id"`
	Product    string    `json:"product"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	ReleasedAt time.Time `json:"released_at"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	// LatestVersion is the product's newest published version;
	// NewerVersion is true when it is newer than this file's.
	LatestVersion string `json:"latest_version"`
	NewerVersion  bool   `json:"newer_version"`
	// DownloadedAt is the caller's last download of this file, if any.
	DownloadedAt *time.Time `json:"downloaded_at,omitempty"`
}

// ProductDownloads is every file of one product the caller may download,
// newest release first (the change feed's "download" object).
type ProductDownloads struct {
	Product       string         `json:"product"`
	LatestVersion string         `json:"latest_version"`
	Files         []DownloadFile `json:"files"`
}

// DownloadRecord is one line of "downloads of the last two years": a file
// the caller downloaded, with the date of their last download of it.
type DownloadRecord struct {
	FileID        string    `json:"file_id"`
	Product       string    `json:"product"`
	FileName      string    `json:"file_name"`
	FileDate      time.Time `json:"file_date"`
	DownloadedAt  time.Time `json:"downloaded_at"`
	Version       string    `json:"version"`
	LatestVersion string    `json:"latest_version"`
	NewerVersion  bool      `json:"newer_version"`
}

// Service request states.
const (
	RequestOpen       = "open"
	RequestInProgress = "in_progress"
	RequestWaiting    = "waiting"
	RequestClosed     = "closed"
)

// ServiceRequest is a support case opened by a user for a product. Lists
// leave Comments out (CommentCount says how many); the request itself and
// the change feed carry them.
type ServiceRequest struct {
	ID             string           `json:"id"` // "SR-000123"
	AccountID      string           `json:"account_id"`
	Product        string           `json:"product"`
	Title          string           `json:"title"`
	Description    string           `json:"description"`
	State          string           `json:"state"` // open, in_progress, waiting, closed
	RequesterEmail string           `json:"requester_email"`
	RequesterName  string           `json:"requester_name"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	CommentCount   int              `json:"comment_count"`
	Comments       []RequestComment `json:"comments,omitempty"`
}

// RequestComment is one comment on a service request, oldest first.
type RequestComment struct {
	// AuthorEmail is empty for the vendor's support team.
	AuthorEmail string    `json:"author_email,omitempty"`
	AuthorName  string    `json:"author_name"`
	At          time.Time `json:"at"`
	Body        string    `json:"body"`
}

// NewServiceRequest opens a service request. AccountID defaults to the
// account the caller owns; the product then appears in that account's
// products.
type NewServiceRequest struct {
	AccountID   string `json:"account_id,omitempty"`
	Product     string `json:"product"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// NewComment adds a comment to a service request.
type NewComment struct {
	Body string `json:"body"`
}

// NewsItem is one news item or alert of a product.
type NewsItem struct {
	ID          string    `json:"id"`
	Product     string    `json:"product"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Severity    string    `json:"severity"` // info, warning, critical
	PublishedAt time.Time `json:"published_at"`
	// New marks an item published since the caller's last visit of the
	// product's news.
	New bool `json:"new"`
}

// ProductNews is the news of one product as the caller sees it, newest
// first (the change feed's "news" object).
type ProductNews struct {
	Product string `json:"product"`
	// Subscribed is the caller's e-mail subscription to the product's news.
	Subscribed bool `json:"subscribed"`
	// LastVisit is when the caller last marked the news read.
	LastVisit *time.Time `json:"last_visit,omitempty"`
	NewCount  int        `json:"new_count"`
	Items     []NewsItem `json:"items"`
}

// NewsRead marks a product's news visited: nothing published so far is
// new any more.
type NewsRead struct {
	Product string `json:"product"`
}

// NewsSubscription switches the e-mails of a product's news on or off.
type NewsSubscription struct {
	Product    string `json:"product"`
	Subscribed bool   `json:"subscribed"`
}
