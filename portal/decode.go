package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/licdesk/licdesk/api"
)

// readBody reads a request body up to the size limit.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, api.MaxBodyBytes+1))
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "request.unreadable", "the request body could not be read")
	}
	if len(b) > api.MaxBodyBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, "request.too_large",
			fmt.Sprintf("the request body is over %d bytes", api.MaxBodyBytes))
	}
	return b, nil
}

// decodeJSON reads one JSON object into v, refusing unknown fields, trailing
// data and bodies over the size limit. It returns the raw bytes for the
// idempotency digest.
func decodeJSON(r *http.Request, v any) ([]byte, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, refuse(http.StatusUnsupportedMediaType, "request.content_type", "the request body must be application/json")
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		if len(t) == 0 {
			return nil, refuse(http.StatusBadRequest, "request.empty", "the request body is empty; a JSON object is expected")
		}
		return nil, refuse(http.StatusBadRequest, "request.malformed", "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return nil, refuse(http.StatusBadRequest, "request.empty", "the request body is empty; a JSON object is expected")
		case errors.As(err, &syn):
			return nil, refuse(http.StatusBadRequest, "request.malformed", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
		case errors.As(err, &typ):
			return nil, refuse(http.StatusBadRequest, "request.malformed", fmt.Sprintf("field %q has the wrong type", typ.Field))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return nil, refuse(http.StatusBadRequest, "request.unknown_field", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return nil, refuse(http.StatusBadRequest, "request.malformed", "malformed JSON")
		}
	}
	if dec.More() {
		return nil, refuse(http.StatusBadRequest, "request.malformed", "trailing data after the JSON object")
	}
	return b, nil
}

// requestHash is the digest that ties an idempotency key to one request.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
