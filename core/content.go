package core

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Downloads, service requests and news (source 003, "My products"): the
// validation of what the vendor publishes and users write, the life of a
// service request, and who may see one.

// Error codes of downloads, service requests and news. Each comment gives
// the Kind it comes with.
const (
	CodeProductName      = "product.name"       // Invalid: too long or control characters
	CodeProductUnknown   = "product.unknown"    // NotFound: the vendor has no such product
	CodeProductNotListed = "product.not_listed" // NotFound: not among the caller's products
	CodeDownloadName     = "download.name"      // Invalid: not a plain file name
	CodeDownloadSize     = "download.size"      // Invalid: empty, or the bytes differ from the size declared
	CodeDownloadDigest   = "download.digest"    // Invalid: not a SHA-256, or the bytes differ from it
	CodeDownloadExists   = "download.exists"    // Conflict: the product already has a file of that name
	CodeDownloadNotFound = "download.not_found" // NotFound
	CodeRequestTitle     = "request.title"      // Invalid
	CodeRequestText      = "request.text"       // Invalid: description or comment empty, too long or with control characters
	CodeRequestID        = "request.id"         // Invalid: not an ID like SR-000123
	CodeRequestNotFound  = "request.not_found"  // NotFound
	CodeRequestState     = "request.state"      // Invalid: unknown state name
	CodeRequestClosed    = "request.closed"     // Conflict: closed requests take no comments or changes
	CodeRequestUnchanged = "request.unchanged"  // Conflict: the request is in that state already
	CodeRequestMove      = "request.move"       // Forbidden: this party may not make that transition
	CodeRequestCloser    = "request.closer"     // Forbidden: only the requester closes a request
	CodeNewsTitle        = "news.title"         // Invalid
	CodeNewsBody         = "news.body"          // Invalid
	CodeNewsSeverity     = "news.severity"      // Invalid: unknown severity name
)

// Text limits. A title is one line that fits a list column; descriptions
// and comments leave room for a pasted log excerpt but not a whole log.
const (
	MaxProductName  = 200
	MaxFileName     = 255 // the common file-system limit
	MaxRequestTitle = 200
	MaxRequestText  = 10000
	MaxNewsTitle    = 200
	MaxNewsBody     = 20000
)

// CleanProductName trims a product name and refuses an empty, overlong or
// control-character one, because product names are shown in lists, file
// names of feeds and e-mail subjects.
func CleanProductName(product string) (string, error) {
	if strings.TrimSpace(product) == "" {
		return "", E(Invalid, CodeProductMissing, "name the product")
	}
	p, err := CleanLine(product, MaxProductName, CodeProductName, "the product name")
	if err != nil {
		return "", E(Invalid, CodeProductName, "a product name is one line of up to 200 characters, not "+quoteShort(NeutralizeText(product, false)))
	}
	return p, nil
}

// cleanText trims s and checks it is 1..max characters of valid UTF-8
// without control characters other than line breaks and tabs (multi-line)
// or none at all (one line).
func cleanText(s string, max int, multiline bool, code, what string) (string, error) {
	if !utf8.ValidString(s) {
		return "", E(Invalid, code, what+" is not valid UTF-8")
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", E(Invalid, code, what+" is empty")
	}
	if utf8.RuneCountInString(s) > max {
		return "", E(Invalid, code, what+" is longer than "+strconv.Itoa(max)+" characters")
	}
	if !utf8.ValidString(s) {
		return "", E(Invalid, code, what+" is not valid UTF-8")
	}
	for _, c := range s {
		if multiline && (c == '\n' || c == '\r' || c == '\t') {
			continue
		}
		if unsafeRune(c) {
			return "", E(Invalid, code, what+" contains control characters")
		}
	}
	return s, nil
}

// DownloadFile is a file the vendor publishes for a product (source 003: "file
// name, file date, version").
type DownloadFile struct {
	Product string
	Name    string // a plain file name, as the browser saves it
	Version string // dotted numbers, compared by CompareVersions
	Size    int64
	SHA256  string // lower-case hex
}

// Validate returns the file description normalised (trimmed, digest in
// lower case) or its first problem. The name must be a plain file name: it
// ends up in a Content-Disposition header and in the user's download
// folder, so a path ("../x", "a/b"), a control character or a name that
// is only dots is refused.
func (f DownloadFile) Validate() (DownloadFile, error) {
	var err error
	if f.Product, err = CleanProductName(f.Product); err != nil {
		return f, err
	}
	f.Name = strings.TrimSpace(f.Name)
	badName := E(Invalid, CodeDownloadName, "a download is named by a plain file name of up to 255 characters, not "+quoteShort(f.Name))
	if f.Name == "" || utf8.RuneCountInString(f.Name) > MaxFileName || !utf8.ValidString(f.Name) ||
		hasControl(f.Name, false) || strings.ContainsAny(f.Name, `/\`) || strings.Trim(f.Name, ".") == "" {
		return f, badName
	}
	f.Version = strings.TrimSpace(f.Version)
	if _, err := versionParts(f.Version); err != nil {
		return f, err
	}
	if f.Size <= 0 {
		return f, E(Invalid, CodeDownloadSize, "a download has at least one byte")
	}
	f.SHA256 = strings.ToLower(strings.TrimSpace(f.SHA256))
	if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != 32 {
		return f, E(Invalid, CodeDownloadDigest, "the SHA-256 is 64 hexadecimal digits, not "+quoteShort(f.SHA256))
	}
	return f, nil
}

// LatestVersion returns the newest of versions by CompareVersions, or ""
// for none. A version that does not parse is skipped rather than failing
// the list: stored versions were validated when published.
func LatestVersion(versions []string) string {
	latest := ""
	for _, v := range versions {
		if _, err := versionParts(v); err != nil {
			continue
		}
		if latest == "" {
			latest = v
			continue
		}
		if c, _ := CompareVersions(v, latest); c > 0 {
			latest = v
		}
	}
	return latest
}

// RequestState is where a service request stands (source 003: "state").
type RequestState int

// Request states. The zero value is no state, so a forgotten field is
// refused by ParseRequestState rather than read as "open".
const (
	RequestOpen       RequestState = iota + 1 // new, not yet taken up by support
	RequestInProgress                         // support is working on it
	RequestWaiting                            // support waits for the customer's answer
	RequestClosed                             // done; takes no more comments
)

// String names the state as stored and sent.
func (s RequestState) String() string {
	switch s {
	case RequestOpen:
		return "open"
	case RequestInProgress:
		return "in_progress"
	case RequestWaiting:
		return "waiting"
	case RequestClosed:
		return "closed"
	}
	return "RequestState(" + strconv.Itoa(int(s)) + ")"
}

// ParseRequestState reads a state name, ignoring case.
func ParseRequestState(s string) (RequestState, error) {
	return parseEnum(s, RequestOpen, RequestClosed, CodeRequestState, "request state")
}

// MarshalText stores the state by name.
func (s RequestState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state stored by MarshalText.
func (s *RequestState) UnmarshalText(b []byte) error {
	v, err := ParseRequestState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Party is who acts on a service request: the customer side (the requester
// or a manager of their account) or the vendor's support.
type Party int

// Parties.
const (
	PartyCustomer Party = iota + 1
	PartySupport
)

// Move checks a state change of a request by a party and returns the new
// state. The customer side may only close (and CanClose narrows that to
// the requester); support moves a request anywhere, including reopening a
// closed one, because support owns the workflow. Moving to the state the
// request is already in is refused so that a replayed or stale click is
// reported rather than silently counted as an update.
func (s RequestState) Move(to RequestState, by Party) (RequestState, error) {
	if to < RequestOpen || to > RequestClosed {
		return s, E(Invalid, CodeRequestState, "unknown request state "+to.String())
	}
	if to == s {
		if s == RequestClosed {
			return s, E(Conflict, CodeRequestClosed, "the request is closed already")
		}
		return s, E(Conflict, CodeRequestUnchanged, "the request is "+s.String()+" already")
	}
	if by == PartySupport {
		return to, nil
	}
	if s == RequestClosed {
		return s, E(Conflict, CodeRequestClosed, "the request is closed; open a new one")
	}
	if to != RequestClosed {
		return s, E(Forbidden, CodeRequestMove, "only support moves a request to "+to.String()+"; you may close it")
	}
	return to, nil
}

// AfterComment returns the state of a request once a party commented on
// it. A closed request takes no comments: the customer opens a new request
// (support reopens with Move first). The customer's answer to a request
// waiting for them hands it back to support (in progress); other comments
// leave the state as it is.
func (s RequestState) AfterComment(by Party) (RequestState, error) {
	if s == RequestClosed {
		return s, E(Conflict, CodeRequestClosed, "the request is closed and takes no comments; open a new one")
	}
	if s == RequestWaiting && by == PartyCustomer {
		return RequestInProgress, nil
	}
	return s, nil
}

// CleanRequest checks a new request's title (one line, 1..200 characters)
// and description (1..10000 characters, line breaks allowed) and returns
// them trimmed.
func CleanRequest(title, description string) (string, string, error) {
	t, err := cleanText(title, MaxRequestTitle, false, CodeRequestTitle, "the title")
	if err != nil {
		return "", "", err
	}
	d, err := cleanText(description, MaxRequestText, true, CodeRequestText, "the description")
	if err != nil {
		return "", "", err
	}
	return t, d, nil
}

// CleanComment checks a comment (1..10000 characters, line breaks allowed)
// and returns it trimmed.
func CleanComment(body string) (string, error) {
	return cleanText(body, MaxRequestText, true, CodeRequestText, "the comment")
}

// FormatRequestID spells a request's number the way support quotes it:
// "SR-000123".
func FormatRequestID(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return "SR-" + s
}

// ParseRequestID reads "SR-000123" (any case, leading zeros optional) back
// into its number.
func ParseRequestID(id string) (int64, error) {
	s := strings.TrimSpace(id)
	bad := E(Invalid, CodeRequestID, "a service request ID looks like SR-000123, not "+quoteShort(id))
	if len(s) < 4 || !strings.EqualFold(s[:3], "SR-") {
		return 0, bad
	}
	digits := s[3:]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return 0, bad
	}
	return n, nil
}

// CanSeeRequest reports whether actor may read a service request of
// account opened by requester: the requester, and the owner and admins of
// the account (source 003 lists "the requests you created"; the account's
// managers follow their users' cases). Members and partners acting for the
// account do not: a request may carry details its author shares only with
// support and the account's managers.
func CanSeeRequest(actor Actor, account AccountID, requester Email) bool {
	if actor.Email != "" && actor.Email == requester {
		return true
	}
	r := actor.Roles[account]
	return r == RoleOwner || r == RoleAdmin
}

// CanClose reports whether actor may close a request opened by requester:
// the requester alone, who is the one who knows the problem is solved.
func CanClose(actor Actor, requester Email) error {
	if actor.Email == "" || actor.Email != requester {
		return E(Forbidden, CodeRequestCloser, "only "+string(requester)+", who opened the request, may close it")
	}
	return nil
}

// Severity grades a news item (source 003: "news and alerts").
type Severity int

// Severities, from the least urgent. The zero value is no severity.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityCritical
)

// String names the severity as stored and sent.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// ParseSeverity reads a severity name, ignoring case.
func ParseSeverity(s string) (Severity, error) {
	return parseEnum(s, SeverityInfo, SeverityCritical, CodeNewsSeverity, "severity")
}

// MarshalText stores the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity stored by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// CleanNews checks a news item's title (one line, 1..200 characters) and
// body (1..20000 characters, line breaks allowed) and returns them trimmed.
func CleanNews(title, body string) (string, string, error) {
	t, err := cleanText(title, MaxNewsTitle, false, CodeNewsTitle, "the news title")
	if err != nil {
		return "", "", err
	}
	b, err := cleanText(body, MaxNewsBody, true, CodeNewsBody, "the news body")
	if err != nil {
		return "", "", err
	}
	return t, b, nil
}
