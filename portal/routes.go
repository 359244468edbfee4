package portal

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store"
)

// routes lists every endpoint; api/openapi.yaml describes the same set.
func (s *Server) routes() {
	s.handle("GET /v1/health", func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	})
	s.handle("POST /v1/signup", s.signup)
	s.handle("POST /v1/login", s.login)
	s.handle("POST /v1/verify", s.verify)
	s.handle("POST /v1/verify/resend", s.resend)
	s.handle("GET /verify", s.verifyPage)
	s.handle("POST /verify", s.verifyPagePost)
	s.handleAuthed("POST /v1/logout", s.logout)
	s.handleAuthed("GET /v1/me", s.me)

	s.handleAuthed("GET /v1/solutions", s.solutions)
	s.handleAuthed("GET /v1/licenses/{id}", s.solution)
	s.handleAuthed("POST /v1/licenses/{id}/seats", s.assignSeat)
	s.handleAuthed("DELETE /v1/licenses/{id}/seats/{ref}", s.removeSeat)
	s.handleAuthed("POST /v1/licenses/{id}/seats/reassign", s.reassignSeat)
	s.handleAuthed("GET /v1/licenses/{id}/audit", s.licenseAudit)

	s.handleAuthed("GET /v1/assigned", s.assigned)
	s.handleAuthed("POST /v1/assigned/adopt", s.adopt)

	s.handleAuthed("GET /v1/orders", s.orders)
	s.handleAuthed("POST /v1/accounts/{id}/orders", s.createOrder)
	s.handleAuthed("POST /v1/orders/{id}/assign", s.assignOrder)
	s.handleAuthed("PUT /v1/accounts/{id}/delegation", s.setDelegation)
	s.handleAuthed("GET /v1/accounts/{id}/members", s.members)
	s.handleAuthed("POST /v1/accounts/{id}/members", s.addMember)
	s.handleAuthed("DELETE /v1/accounts/{id}/members/{email}", s.removeMember)
	s.handleAuthed("POST /v1/accounts/{id}/owner", s.handOver)
	s.handleAuthed("GET /v1/offers", s.offers)
	s.handleAuthed("POST /v1/offers/{account}/accept", s.acceptOffer)
	s.handleAuthed("POST /v1/offers/{account}/decline", s.declineOffer)
	s.handleAuthed("GET /v1/accounts/{id}/audit", s.accountAudit)
	s.handleAuthed("GET /v1/accounts/{id}/integrations", s.integrations)
	s.handleAuthed("GET /v1/accounts/{id}/integrations/{product}", s.integration)
	s.handleAuthed("PATCH /v1/accounts/{id}/integrations/{product}", s.setIntegration)
	s.handleAuthed("POST /v1/accounts/{id}/integrations/{product}/users", s.setUserLicense)

	s.handleAuthed("GET /v1/products", s.products)
	s.handleAuthed("POST /v1/products", s.registerProduct)

	s.handleAuthed("GET /v1/changes", s.changes)

	s.keyRoutes()
	s.contentRoutes()
}

// write identifies a write for idempotency from its Idempotency-Key header.
func write(r *http.Request, op string, body []byte) (store.Write, error) {
	key := r.Header.Get(api.IdempotencyHeader)
	if len(key) > 200 {
		return store.Write{}, refuse(http.StatusBadRequest, "request.idempotency_key", "the Idempotency-Key is over 200 characters")
	}
	return store.Write{Key: key, Op: op, RequestHash: requestHash(r, body)}, nil
}

// decodeWrite decodes a JSON body and identifies the write it asks for.
func decodeWrite(r *http.Request, op string, v any) (store.Write, error) {
	body, err := decodeJSON(r, v)
	if err != nil {
		return store.Write{}, err
	}
	return write(r, op, body)
}

func (s *Server) changes(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	page, err := s.cfg.Store.Changes(r.Context(), c, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(appendChanges(make([]byte, 0, changesSize(page)), page))
	return nil
}

// appendChanges encodes a feed page as encoding/json would, except that
// each object's data, already encoded by the store, is copied as it is
// rather than parsed and compacted again: a snapshot page is megabytes.
func appendChanges(b []byte, page api.Changes) []byte {
	b = append(b, `{"cursor":`...)
	b = appendJSONString(b, page.Cursor)
	if page.Resync {
		b = append(b, `,"resync":true`...)
	}
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, page.Complete)
	b = append(b, `,"changes":[`...)
	for i, ch := range page.Changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"kind":`...)
		b = appendJSONString(b, ch.Kind)
		b = append(b, `,"id":`...)
		b = appendJSONString(b, ch.ID)
		if ch.Deleted {
			b = append(b, `,"deleted":true`...)
		}
		if len(ch.Data) > 0 {
			b = append(b, `,"data":`...)
			b = append(b, ch.Data...)
		}
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// changesSize is about the encoded size of a page, to allocate it once.
func changesSize(page api.Changes) int {
	n := 64 + len(page.Cursor)
	for _, ch := range page.Changes {
		n += 40 + len(ch.Kind) + len(ch.ID) + len(ch.Data)
	}
	return n
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

func (s *Server) licenseAudit(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	return s.audit(w, r, c, store.AuditQuery{LicenseID: r.PathValue("id")})
}

func (s *Server) accountAudit(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	return s.audit(w, r, c, store.AuditQuery{AccountID: r.PathValue("id")})
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, c store.Caller, q store.AuditQuery) error {
	var err error
	if v := r.URL.Query().Get("after"); v != "" {
		if q.After, err = strconv.ParseInt(v, 10, 64); err != nil {
			return refuse(http.StatusBadRequest, "request.after", "after must be an audit sequence number")
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil {
			return refuse(http.StatusBadRequest, "request.limit", "limit must be a number")
		}
	}
	evs, err := s.cfg.Store.Audit(r.Context(), c, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, evs)
	return nil
}
