package activation

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
)

// MaxFileSize is the largest request or receipt file read or written, in
// bytes: far above any real one (under 2 KiB), far below anything that
// could hurt a portal reading many of them, and small enough for a QR code
// reader to refuse nothing this package writes.
const MaxFileSize = 8 << 10

const (
	beginPrefix = "-----BEGIN LICENSE DESK "
	endPrefix   = "-----END LICENSE DESK "
	dashes      = "-----"
	lineWidth   = 64
	sumChars    = 1 + 44 // "=" + base64 of 32 bytes
	timeLayout  = "2006-01-02T15:04:05Z"
)

var b64 = base64.StdEncoding.Strict()

// fileCodes are the codes one file type refuses with.
type fileCodes struct {
	what                                      string // "activation request", for messages
	tooLarge, malformed, checksum, badVersion string
}

func (c fileCodes) malformedf(format string, args ...any) error {
	return core.E(core.Invalid, c.malformed, c.what+": "+fmt.Sprintf(format, args...))
}

// checksum is the SHA-256 of the domain-separated body, so that a body of
// one file type never passes as another's.
func checksum(typ string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte("licdesk-" + strings.ReplaceAll(strings.ToLower(typ), " ", "-") + "-v1\x00"))
	h.Write(body)
	return h.Sum(nil)
}

// encodeArmor writes the canonical armored form of body.
func encodeArmor(typ string, body []byte) []byte {
	enc := b64.EncodeToString(body)
	var b bytes.Buffer
	b.WriteString(beginPrefix + typ + dashes + "\n")
	for len(enc) > lineWidth {
		b.WriteString(enc[:lineWidth])
		b.WriteByte('\n')
		enc = enc[lineWidth:]
	}
	b.WriteString(enc)
	b.WriteString("\n=")
	b.WriteString(b64.EncodeToString(checksum(typ, body)))
	b.WriteString("\n" + endPrefix + typ + dashes + "\n")
	return b.Bytes()
}

// decodeArmor parses an armored file of type typ strictly and returns its
// body once the checksum matches.
func decodeArmor(file []byte, typ string, c fileCodes) ([]byte, error) {
	if len(file) > MaxFileSize {
		return nil, core.E(core.Invalid, c.tooLarge, fmt.Sprintf("%s: %d bytes, the limit is %d: this is not a %s file",
			c.what, len(file), MaxFileSize, strings.ToLower(typ)))
	}
	if len(file) == 0 {
		return nil, c.malformedf("the file is empty")
	}
	if i := bytes.IndexByte(file, '\r'); i >= 0 {
		return nil, c.malformedf("carriage return at byte %d: copy the file in binary mode, without converting line endings", i)
	}
	if file[len(file)-1] != '\n' {
		return nil, c.malformedf("no newline at the end: the file was cut short")
	}
	lines := strings.Split(string(file[:len(file)-1]), "\n")
	begin, end := beginPrefix+typ+dashes, endPrefix+typ+dashes
	if lines[0] != begin {
		if l := lines[0]; strings.HasPrefix(l, beginPrefix) && strings.HasSuffix(l, dashes) && len(l) > len(beginPrefix)+len(dashes) {
			return nil, c.malformedf("this is a LICENSE DESK %s, not an %s", l[len(beginPrefix):len(l)-len(dashes)], typ)
		}
		return nil, c.malformedf("line 1 must be %q", begin)
	}
	last := len(lines) - 1
	if last < 3 || lines[last] != end {
		return nil, c.malformedf("no %q line at the end: the file was cut short", end)
	}
	sumLine := lines[last-1]
	want := ""
	if len(sumLine) == sumChars && sumLine[0] == '=' {
		want = sumLine[1:]
	} else {
		return nil, c.malformedf("line %d must be the checksum line (\"=\" and 44 characters): the file was cut short or edited", last)
	}
	payload := lines[1 : last-1]
	for i, l := range payload {
		if len(l) == 0 || len(l) > lineWidth || (i < len(payload)-1 && len(l) != lineWidth) {
			return nil, c.malformedf("line %d is %d characters, want %d (the last one 1 to %d): the file was re-wrapped or cut",
				i+2, len(l), lineWidth, lineWidth)
		}
	}
	body, err := b64.DecodeString(strings.Join(payload, ""))
	if err != nil || len(body) == 0 {
		return nil, c.malformedf("the content is not valid base64: a character was changed or lost")
	}
	if b64.EncodeToString(checksum(typ, body)) != want {
		return nil, core.E(core.Invalid, c.checksum, c.what+": the checksum does not match the content: the file was changed or read wrong")
	}
	// Belt and braces: the checks above admit only the canonical form.
	if !bytes.Equal(encodeArmor(typ, body), file) {
		return nil, c.malformedf("not in canonical form")
	}
	return body, nil
}

// decodeStrict decodes one JSON object into v: no unknown fields, no
// trailing data, and a version this build reads, reported as such even when
// a newer version also has fields this one does not know.
func decodeStrict(body []byte, v any, version func() *int, c fileCodes) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, tok := dec.Token(); tok != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		var probe struct {
			Version *int `json:"version"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Version != nil && *probe.Version != CurrentVersion {
			return unsupported(*probe.Version, c)
		}
		return c.malformedf("content: %s", oneLine(err.Error()))
	}
	switch p := version(); {
	case p == nil:
		return c.malformedf("content has no version")
	case *p != CurrentVersion:
		return unsupported(*p, c)
	}
	return nil
}

func unsupported(v int, c fileCodes) error {
	return core.E(core.Invalid, c.badVersion, fmt.Sprintf("%s: version %d, this build reads version %d: update License Desk",
		c.what, v, CurrentVersion))
}

// oneLine keeps a decoder's message on one line and short.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// CurrentVersion is the version of the request, receipt and response
// contents this package writes and reads.
const CurrentVersion = 1

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a canonical time; ok is false for anything else.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(timeLayout, s)
	if err != nil || t.Format(timeLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// truncTime is t in UTC with whole seconds, the precision the files keep.
func truncTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}

// validTime refuses the zero time and years JSON and RFC 3339 cannot carry.
func validTime(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 1970 && t.Year() <= 9999
}
