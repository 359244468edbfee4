package core

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Edition is a product edition. The constants are in ascending order, so
// editions compare with < and a higher edition wins a tie in DefaultPick.
type Edition int

// Editions, lowest first. EditionUnknown is the zero value and ranks below
// every real edition, so a license with a missing edition never wins a tie.
const (
	EditionUnknown Edition = iota
	EditionBasic
	EditionStandard
	EditionProfessional
	EditionEnterprise
)

// String names the edition as stored and printed.
func (e Edition) String() string {
	switch e {
	case EditionUnknown:
		return "unknown"
	case EditionBasic:
		return "basic"
	case EditionStandard:
		return "standard"
	case EditionProfessional:
		return "professional"
	case EditionEnterprise:
		return "enterprise"
	}
	return "Edition(" + strconv.Itoa(int(e)) + ")"
}

// ParseEdition reads an edition name, ignoring case. "unknown" is refused:
// it is what a missing value means, never something to store on purpose.
func ParseEdition(s string) (Edition, error) {
	return parseEnum(s, EditionBasic, EditionEnterprise, CodeEditionUnknown, "edition")
}

// MarshalText stores the edition by name.
func (e Edition) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads an edition stored by MarshalText.
func (e *Edition) UnmarshalText(b []byte) error {
	v, err := ParseEdition(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Holding is one license of a product assigned to the user, as listed under
// "Assigned to you" (source 000): each owner's license separately, with the
// owner's name.
type Holding struct {
	LicenseID string
	Product   string
	Owner     AccountID
	OwnerName string
	Edition   Edition
	Modules   []string
	Expiry    time.Time // zero: perpetual
}

// Holding describes the license as a holding of one of its assignees.
func (l License) Holding() Holding {
	return Holding{
		LicenseID: l.ID, Product: l.Product, Owner: l.Owner, OwnerName: l.OwnerName,
		Edition: l.Edition, Modules: append([]string(nil), l.Modules...), Expiry: l.Expiry,
	}
}

// HoldingsByProduct lists, per product, the licenses on which email holds an
// Assigned seat, each product's list in default order (the one the program
// would pick first). Pending seats are left out: their holder has no account
// to see them with, and they could not run anyway.
func HoldingsByProduct(licenses []License, email Email) map[string][]Holding {
	m := make(map[string][]Holding)
	e, err := NormalizeEmail(string(email))
	if err != nil {
		return m
	}
	for _, l := range licenses {
		if i := l.seatOf(e); i >= 0 && l.Seats[i].State == SeatAssigned {
			m[l.Product] = append(m[l.Product], l.Holding())
		}
	}
	for _, hs := range m {
		sort.SliceStable(hs, func(i, j int) bool { return CompareHoldings(hs[i], hs[j]) < 0 })
	}
	return m
}

// CompareHoldings orders holdings by preference and is negative when a is
// the better default (source 000: "the largest"): more modules first; then the
// higher edition; then the later expiry (perpetual is latest); then the
// owner name, ascending, ignoring case; then the license ID, so that two
// holdings are never equal and the pick never depends on input order.
func CompareHoldings(a, b Holding) int {
	if ma, mb := distinct(a.Modules), distinct(b.Modules); ma != mb {
		return mb - ma
	}
	if a.Edition != b.Edition {
		return int(b.Edition) - int(a.Edition)
	}
	if c := compareExpiry(a.Expiry, b.Expiry); c != 0 {
		return -c
	}
	if c := strings.Compare(strings.ToLower(a.OwnerName), strings.ToLower(b.OwnerName)); c != 0 {
		return c
	}
	if c := strings.Compare(a.OwnerName, b.OwnerName); c != 0 {
		return c
	}
	return strings.Compare(a.LicenseID, b.LicenseID)
}

// compareExpiry orders expiries with the zero time (perpetual) after every
// real date.
func compareExpiry(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	case a.Before(b):
		return -1
	}
	return 1
}

// distinct counts distinct module names, so a module listed twice by a
// data-entry slip does not make a license look larger.
func distinct(ms []string) int {
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		seen[m] = true
	}
	return len(seen)
}

// DefaultPick returns the holding a program runs with when the user adopted
// none: the first by CompareHoldings. ok is false when there are none. The
// candidates are one product's holdings.
func DefaultPick(candidates []Holding) (Holding, bool) {
	if len(candidates) == 0 {
		return Holding{}, false
	}
	best := candidates[0]
	for _, h := range candidates[1:] {
		if CompareHoldings(h, best) < 0 {
			best = h
		}
	}
	return best, true
}

// AdoptionState tells whether a holding runs because the user chose it or
// because it is the default.
type AdoptionState int

// Adoption states.
const (
	AdoptionDefault AdoptionState = iota // chosen by DefaultPick
	AdoptionAdopted                      // chosen by the user (source 000: "Adotada")
)

// String names the state as shown next to a holding.
func (s AdoptionState) String() string {
	switch s {
	case AdoptionDefault:
		return "default"
	case AdoptionAdopted:
		return "adopted"
	}
	return "AdoptionState(" + strconv.Itoa(int(s)) + ")"
}

// find returns the holding with the given license ID.
func find(candidates []Holding, licenseID string) (Holding, bool) {
	for _, h := range candidates {
		if h.LicenseID == licenseID {
			return h, true
		}
	}
	return Holding{}, false
}

// Effective resolves which holding a program runs with: the adopted license
// while the user still holds it, else the default. An adoption of a seat the
// user lost is simply ignored here (ReconcileAdoption records it), so a stale
// choice can never keep a program from starting.
func Effective(candidates []Holding, adoptedLicenseID string) (Holding, AdoptionState, error) {
	if adoptedLicenseID != "" {
		if h, ok := find(candidates, adoptedLicenseID); ok {
			return h, AdoptionAdopted, nil
		}
	}
	h, ok := DefaultPick(candidates)
	if !ok {
		return Holding{}, AdoptionDefault, E(NotFound, CodeAdoptionNone, "no license of this product is assigned to you")
	}
	return h, AdoptionDefault, nil
}

// describe renders the effective choice for an audit entry.
func describe(h Holding, s AdoptionState) string {
	return h.LicenseID + " (" + s.String() + ")"
}

// Adopt makes licenseID the user's choice for its product. current is the
// adopted license ID stored so far ("" for none); it is used only to record
// what ran before. A license the user does not hold is refused: adopting it
// would let a user pick a license nobody assigned to them.
func Adopt(by By, candidates []Holding, current, licenseID string) (Holding, Event, error) {
	h, ok := find(candidates, licenseID)
	if !ok {
		return Holding{}, Event{}, E(NotFound, CodeAdoptionNotHeld, "license "+quoteShort(licenseID)+" is not assigned to you")
	}
	before := ""
	if prev, st, err := Effective(candidates, current); err == nil {
		before = describe(prev, st)
	}
	return h, newEvent(by, AuditAdoptionAdopt, licenseID, before, describe(h, AdoptionAdopted)), nil
}

// ReconcileAdoption is called after the user's holdings of a product
// changed (a seat removed or reassigned away). When the adopted license is no
// longer held it returns "" (the default applies again, source 000) and the
// adoption.fallback event; otherwise it returns adopted unchanged and no
// event.
func ReconcileAdoption(by By, candidates []Holding, adopted string) (string, []Event) {
	if adopted == "" {
		return "", nil
	}
	if _, ok := find(candidates, adopted); ok {
		return adopted, nil
	}
	after := "none"
	if h, ok := DefaultPick(candidates); ok {
		after = describe(h, AdoptionDefault)
	}
	return "", []Event{newEvent(by, AuditAdoptionFallback, adopted, adopted+" (adopted)", after)}
}

// RunWith is the launcher's whole decision for one product: among the
// licenses of that product on which email holds a seat, may the program run
// (MayRunCloudLogin) and with which license (Effective, honouring the
// adoption). Expired licenses take no part, so an expired adopted license
// falls back to the default rather than blocking the launch.
func RunWith(licenses []License, email Email, product, adopted string, now time.Time) (Holding, AdoptionState, error) {
	var mine []License
	for _, l := range licenses {
		if l.Product == product {
			mine = append(mine, l)
		}
	}
	if err := MayRunCloudLogin(mine, email, now); err != nil {
		return Holding{}, AdoptionDefault, err
	}
	var live []License
	for _, l := range mine {
		if !l.Expired(now) {
			live = append(live, l)
		}
	}
	return Effective(HoldingsByProduct(live, email)[product], adopted)
}
