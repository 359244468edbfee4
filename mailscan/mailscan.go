// Package mailscan recognises what matters to License Desk in an e-mail:
// license numbers, serial numbers, license and install keys, activation
// responses and license files, and the portal's own seat, invitation,
// removal and news e-mails (by the structured X-Licdesk-* headers its
// mailer adds). It parses bytes into findings and does no I/O, so that the
// same recognition serves a mailbox scanned over IMAP and a saved .eml file
// (docs/design.md, Mail).
//
// The bytes are untrusted: every size, depth and count is bounded, and a
// message that cannot be read gives one error, never a panic.
package mailscan

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"github.com/licdesk/licdesk/core"
)

// Bounds on what one message may make the parser do.
const (
	// MaxMessageSize is the largest message read: purchase e-mails and
	// license files are small, and a larger message is not read into
	// memory at all (the IMAP scan skips it by its size).
	MaxMessageSize = 10 << 20
	// maxParts bounds the MIME parts walked in one message.
	maxParts = 200
	// maxDepth bounds nesting (multipart in multipart, forwarded messages).
	maxDepth = 8
	// maxText bounds the decoded text kept of one part.
	maxText = 2 << 20
	// maxFindings bounds what one message may yield.
	maxFindings = 100
	// maxArmored is the largest license file or response kept (the file
	// formats' own limit, docs/design.md, File formats).
	maxArmored = 64 << 10
)

// Kind is what a finding is.
type Kind string

// The kinds of finding.
const (
	LicenseNumber      Kind = "license-number"      // register the product by it (source 003)
	Serial             Kind = "serial"              // turn into a license key (source 001)
	LicenseKey         Kind = "license-key"         // add, then activate (source 002)
	InstallKey         Kind = "install-key"         // add and activate at once (source 002)
	ActivationResponse Kind = "activation-response" // import on this machine, once verified
	LicenseFile        Kind = "license-file"        // install on this machine, once verified
	SeatAssigned       Kind = "seat-assigned"       // the portal's assignment e-mail (source 000)
	Invitation         Kind = "invitation"          // a Pending seat: sign up with this address
	SeatRemoved        Kind = "seat-removed"        // the portal's removal notice
	News               Kind = "news"                // a news alert of a subscribed product
)

// Kinds lists every kind, in the order findings are shown.
func Kinds() []Kind {
	return []Kind{SeatAssigned, Invitation, SeatRemoved, News, LicenseNumber, Serial, LicenseKey, InstallKey,
		ActivationResponse, LicenseFile}
}

// FromPortal reports whether the kind comes from the portal's own headers.
func (k Kind) FromPortal() bool {
	switch k {
	case SeatAssigned, Invitation, SeatRemoved, News:
		return true
	}
	return false
}

// The structured headers the portal's mailer adds (portal/mail).
const (
	HeaderKind     = "X-Licdesk-Kind"     // seat.assigned, seat.invited, seat.removed, news.published
	HeaderLicense  = "X-Licdesk-License"  // the license ID (lic_...)
	HeaderProduct  = "X-Licdesk-Product"  // the product's name
	HeaderContract = "X-Licdesk-Contract" // the license number
	HeaderPortal   = "X-Licdesk-Portal"   // the portal's address
	HeaderNews     = "X-Licdesk-News"     // the news item's ID
)

// portalKinds maps X-Licdesk-Kind to a finding's kind.
var portalKinds = map[string]Kind{
	"seat.assigned":  SeatAssigned,
	"seat.invited":   Invitation,
	"seat.removed":   SeatRemoved,
	"news.published": News,
}

// Finding is one thing recognised in a message.
type Finding struct {
	Kind Kind `json:"kind"`
	// Value is the canonical key, serial or license number; the license
	// ID of a seat e-mail; the news item's ID; the armored text of a
	// response or license file.
	Value string `json:"value"`
	// Product, License, Contract and Portal come from the portal's
	// headers when it sent the message.
	Product  string `json:"product,omitempty"`
	License  string `json:"license,omitempty"`
	Contract string `json:"contract,omitempty"`
	Portal   string `json:"portal,omitempty"`
	// In says where it was found: "headers", "text", "html" or an
	// attachment's file name.
	In string `json:"in"`
}

// Message is what was read of one e-mail.
type Message struct {
	MessageID string
	From      string
	To        string
	Subject   string
	Date      time.Time
	Findings  []Finding
}

// ErrTooLarge refuses a message beyond MaxMessageSize.
var ErrTooLarge = fmt.Errorf("the message is larger than %d MB: not read", MaxMessageSize>>20)

// Parse reads one RFC 5322 message and returns what it recognises. A
// message whose headers cannot be read is an error; a damaged part is
// skipped, so that what the rest of the message says is still found.
func Parse(raw []byte) (Message, error) {
	var out Message
	if len(raw) > MaxMessageSize {
		return out, ErrTooLarge
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return out, fmt.Errorf("not an e-mail message: %w", err)
	}
	dec := wordDecoder()
	h := m.Header
	out.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	out.From = decodeHeader(dec, h.Get("From"))
	out.To = decodeHeader(dec, h.Get("To"))
	out.Subject = decodeHeader(dec, h.Get("Subject"))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		out.Date = d.UTC()
	}
	s := &scanner{seen: map[string]bool{}}
	s.headers(h)
	s.entity(textproto(h), m.Body, 0, "")
	out.Findings = s.found
	return out, nil
}

// textproto is the header of a part as multipart gives it.
func textproto(h mail.Header) map[string][]string { return h }

func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charset.NewReaderLabel}
}

// decodeHeader decodes RFC 2047 words; an undecodable header is kept raw.
func decodeHeader(dec *mime.WordDecoder, v string) string {
	if d, err := dec.DecodeHeader(v); err == nil {
		v = d
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, v))
}

// scanner collects findings over a message's parts.
type scanner struct {
	found []Finding
	seen  map[string]bool
	parts int
}

func (s *scanner) add(f Finding) {
	k := string(f.Kind) + "\x00" + f.Value
	if s.seen[k] || len(s.found) >= maxFindings {
		return
	}
	s.seen[k] = true
	s.found = append(s.found, f)
}

// headers reads the portal's structured headers. Anyone can write such
// headers into a message: a finding from them only offers to sync or to
// open what the portal itself then shows, it never grants anything.
func (s *scanner) headers(h mail.Header) {
	kind, ok := portalKinds[strings.ToLower(strings.TrimSpace(h.Get(HeaderKind)))]
	if !ok {
		return
	}
	f := Finding{Kind: kind, In: "headers",
		Product:  clean(h.Get(HeaderProduct), 100),
		License:  clean(h.Get(HeaderLicense), 100),
		Contract: clean(h.Get(HeaderContract), 100),
		Portal:   clean(h.Get(HeaderPortal), 300)}
	f.Value = f.License
	if kind == News {
		f.Value = clean(h.Get(HeaderNews), 100)
	}
	if f.Value == "" && f.Product == "" {
		return
	}
	s.add(f)
}

// clean keeps a header value to printable text of a bounded length.
func clean(v string, limit int) string {
	v = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v))
	if len(v) > limit {
		return ""
	}
	return v
}

// entity walks one MIME entity: a multipart's parts, a forwarded message,
// or a leaf whose text is scanned.
func (s *scanner) entity(h map[string][]string, body io.Reader, depth int, name string) {
	s.parts++
	if depth > maxDepth || s.parts > maxParts {
		return
	}
	get := func(k string) string {
		if v := h[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ctype, params, err := mime.ParseMediaType(get("Content-Type"))
	if err != nil || ctype == "" {
		ctype, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	_, dparams, _ := mime.ParseMediaType(get("Content-Disposition"))
	if fn := dparams["filename"]; fn != "" {
		name = fn
	} else if fn := params["name"]; fn != "" {
		name = fn
	}
	name = decodeHeader(wordDecoder(), name)
	if strings.HasPrefix(ctype, "multipart/") {
		if params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return // the end, or a damaged part: keep what was found
			}
			s.entity(p.Header, p, depth+1, "")
			if s.parts > maxParts {
				return
			}
		}
	}
	r := transferDecoder(get("Content-Transfer-Encoding"), body)
	if ctype == "message/rfc822" {
		fwd, err := mail.ReadMessage(io.LimitReader(r, MaxMessageSize))
		if err != nil {
			return
		}
		s.headers(fwd.Header)
		s.entity(fwd.Header, fwd.Body, depth+1, "")
		return
	}
	where := "text"
	attached := name != ""
	if attached {
		switch strings.ToLower(path.Ext(name)) {
		case ".lic", ".lda", ".txt":
			where = path.Base(strings.ReplaceAll(name, `\`, "/"))
		default:
			return // an attachment License Desk has no use for
		}
	} else if ctype != "text/plain" && ctype != "text/html" {
		return
	}
	text, err := readText(r, params["charset"])
	if err != nil {
		return
	}
	if ctype == "text/html" && !attached {
		text, where = htmlText(text), "html"
	}
	s.text(text, where)
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	}
	return r
}

// base64Cleaner drops the line breaks and stray bytes of a base64 body,
// which encoding/base64 does not skip on its own (it skips only \r\n).
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// readText reads a part's text (at most maxText bytes) as UTF-8.
func readText(r io.Reader, cs string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxText))
	if err != nil && len(b) == 0 {
		return "", err
	}
	cs = strings.ToLower(strings.TrimSpace(cs))
	if cs == "" || cs == "utf-8" || cs == "us-ascii" || cs == "utf8" {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	cr, err := charset.NewReaderLabel(cs, bytes.NewReader(b))
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil // an unknown charset: the ASCII in it still reads
	}
	d, err := io.ReadAll(io.LimitReader(cr, 2*maxText))
	if err != nil && len(d) == 0 {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return strings.ToValidUTF8(string(d), "\uFFFD"), nil
}

// htmlText is the visible text of an HTML part, one line per block, so
// that "License number:</td><td>X" reads as one line.
func htmlText(doc string) string {
	z := html.NewTokenizer(strings.NewReader(doc))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "title":
				skip++
			case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "table", "pre":
				b.WriteByte('\n')
			case "td", "th":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "title":
				if skip > 0 {
					skip--
				}
			case "p", "div", "tr", "li", "h1", "h2", "h3", "table", "pre":
				b.WriteByte('\n')
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
}

// patterns are the expressions the scan matches text with, compiled on
// the first scan rather than when the package loads: every licdesk
// command links this package, and compiling them is most of what its
// start-up would cost (0.3 ms, 130 kB), while only mail scans use them.
var patterns = sync.OnceValue(func() *textPatterns {
	return &textPatterns{
		// keyRe: INS or LIC, then 25 symbols in groups of five, dashed or
		// spaced as people paste them.
		keyRe: regexp.MustCompile(`(?i)\b(?:LIC|INS)(?:[- ]?[0-9A-Z]{5}){5}\b`),
		// serialRe: 12 symbols in three dashed groups of four.
		serialRe: regexp.MustCompile(`(?i)\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`),
		// serialWord: a serial is only taken where the text calls it one
		// (English, Portuguese, French, Spanish, German), since 4-4-4 groups
		// also appear in order and tracking numbers.
		serialWord: regexp.MustCompile(`(?i)\bs[ée]ri(?:al|e|en)`),
		// numberRe: a license number is free-form, so it is only taken after
		// a label saying what it is.
		numberRe: regexp.MustCompile(`(?i)(?:licen[cs]e|contract|licen[çc]a|licencia)\s*(?:number|no\.?|nr\.?|#|n[º°]|número|numéro)\s*(?:is\s*)?[:#]?\s*([A-Z0-9][A-Z0-9._/-]{2,60}[A-Z0-9])|(?:n[úu]mero\s+d[ae]\s+licen[çcs][ae]a?|num[ée]ro\s+de\s+licence|n[úu]mero\s+de\s+contrato)\s*[:#]?\s*([A-Z0-9][A-Z0-9._/-]{2,60}[A-Z0-9])`),
		// armorRe finds the signed files of docs/design.md, File formats.
		armorRe: regexp.MustCompile(`-----BEGIN LICENSE DESK (ACTIVATION RESPONSE|LICENSE)-----[A-Za-z0-9+/=:\-\s]*?-----END LICENSE DESK (ACTIVATION RESPONSE|LICENSE)-----`),
	}
})

// textPatterns: see patterns.
type textPatterns struct {
	keyRe, serialRe, serialWord, numberRe, armorRe *regexp.Regexp
}

// text scans one part's text.
func (s *scanner) text(t, where string) {
	for _, m := range patterns().armorRe.FindAllStringSubmatch(t, -1) {
		if m[1] != m[2] || len(m[0]) > maxArmored {
			continue
		}
		k := LicenseFile
		if m[1] == "ACTIVATION RESPONSE" {
			k = ActivationResponse
		}
		s.add(Finding{Kind: k, Value: armored(m[0]), In: where})
	}
	for _, m := range patterns().keyRe.FindAllString(t, -1) {
		k, err := core.ParseKey(m)
		if err != nil {
			continue
		}
		kind := LicenseKey
		if k.Kind() == core.InstallKey {
			kind = InstallKey
		}
		s.add(Finding{Kind: kind, Value: string(k), In: where})
	}
	prev := "" // the last non-blank line: a label may sit on the line above
	for _, line := range strings.Split(t, "\n") {
		if len(line) > 4096 {
			continue
		}
		ctx := prev + " " + line
		if strings.TrimSpace(line) != "" {
			prev = line
		}
		if patterns().serialWord.MatchString(ctx) {
			for _, m := range patterns().serialRe.FindAllString(line, -1) {
				if sn, err := core.ParseSerial(m); err == nil {
					s.add(Finding{Kind: Serial, Value: string(sn), In: where})
				}
			}
		}
		for _, m := range patterns().numberRe.FindAllStringSubmatch(line, -1) {
			v := m[1]
			if v == "" {
				v = m[2]
			}
			// Kept as written: the portal matches license numbers exactly.
			if !strings.ContainsAny(v, "0123456789") || patterns().keyRe.MatchString(v) {
				continue
			}
			s.add(Finding{Kind: LicenseNumber, Value: v, In: where})
		}
	}
}

// armored normalises a signed file's line endings and indentation (as a
// mail client may have quoted or wrapped it) to the file format's LF lines.
func armored(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 4096), maxArmored)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" || b.Len() > 0 {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// SortFindings orders findings by kind as Kinds lists them, then value.
func SortFindings(fs []Finding) {
	order := map[Kind]int{}
	for i, k := range Kinds() {
		order[k] = i
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] - order[b.Kind]
		}
		return strings.Compare(a.Value, b.Value)
	})
}
