package core

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// ProductSource is how a product came to be listed under an account's "My
// products" (source 003).
type ProductSource int

// Product sources. The zero value is no source, so a forgotten field is
// caught by ParseProductSource and not read as a real one.
const (
	SourceLicenseNumber  ProductSource = iota + 1 // registered by license number (the recommended way)
	SourcePicked                                  // chosen from the product list
	SourceServiceRequest                          // a service request was opened for it
	SourceDownload                                // its software was downloaded
	SourceRegistration                            // a license of it was registered (serial to key)
	SourceUserGroup                               // the user joined a user group that has it
)

// String names the source as stored.
func (s ProductSource) String() string {
	switch s {
	case SourceLicenseNumber:
		return "license_number"
	case SourcePicked:
		return "picked"
	case SourceServiceRequest:
		return "service_request"
	case SourceDownload:
		return "download"
	case SourceRegistration:
		return "registration"
	case SourceUserGroup:
		return "user_group"
	}
	return "ProductSource(" + strconv.Itoa(int(s)) + ")"
}

// ParseProductSource reads a source name, ignoring case.
func ParseProductSource(s string) (ProductSource, error) {
	return parseEnum(s, SourceLicenseNumber, SourceUserGroup, CodeProductSourceUnknown, "product source")
}

// MarshalText stores the source by name.
func (s ProductSource) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a source stored by MarshalText.
func (s *ProductSource) UnmarshalText(b []byte) error {
	v, err := ParseProductSource(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// AccountProduct is one line of "My products".
type AccountProduct struct {
	Product string
	Source  ProductSource // how it first came
	AddedAt time.Time
}

// AddProduct lists product under the account. A product is listed once:
// when it is already there the list comes back unchanged and added is false,
// keeping the first source, because the list answers "since when and why do
// I have this", and later downloads or requests do not change that. The list
// is returned sorted by product name.
func AddProduct(existing []AccountProduct, product string, source ProductSource, at time.Time) ([]AccountProduct, bool, error) {
	product = strings.TrimSpace(product)
	if product == "" {
		return existing, false, E(Invalid, CodeProductMissing, "name the product to add")
	}
	if source < SourceLicenseNumber || source > SourceUserGroup {
		return existing, false, E(Invalid, CodeProductSourceUnknown, "unknown product source "+source.String())
	}
	for _, p := range existing {
		if p.Product == product {
			return existing, false, nil
		}
	}
	out := append(append([]AccountProduct(nil), existing...), AccountProduct{Product: product, Source: source, AddedAt: at})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Product < out[j].Product })
	return out, true, nil
}

// DownloadWindowYears is how far back "Last downloads" looks (source 003).
const DownloadWindowYears = 2

// InDownloadWindow reports whether a download made at downloadedAt is still
// listed at now. Unlike the day-counted rules this is calendar years (in
// UTC), as "the last two years" is read by people.
func InDownloadWindow(downloadedAt, now time.Time) bool {
	return !downloadedAt.Before(now.UTC().AddDate(-DownloadWindowYears, 0, 0))
}

// CompareVersions compares dotted numeric versions ("2.10.1", optionally
// with a leading "v") and returns -1, 0 or +1. Missing parts count as zero,
// so "2.1" equals "2.1.0"; parts compare as numbers, so "2.10" is newer than
// "2.9", which a string comparison gets wrong.
func CompareVersions(a, b string) (int, error) {
	pa, err := versionParts(a)
	if err != nil {
		return 0, err
	}
	pb, err := versionParts(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
	}
	return 0, nil
}

// NewerVersionExists reports whether latest is newer than the downloaded
// version (source 003: "check for the latest version").
func NewerVersionExists(downloaded, latest string) (bool, error) {
	c, err := CompareVersions(latest, downloaded)
	return c > 0, err
}

func versionParts(v string) ([]int, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "v"), "V")
	bad := E(Invalid, CodeVersionFormat, "a version is numbers separated by dots, like 2.10.1, not "+quoteShort(v))
	if s == "" {
		return nil, bad
	}
	var out []int
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return nil, bad
		}
		out = append(out, n)
	}
	return out, nil
}
