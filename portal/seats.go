package portal

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

func (s *Server) solutions(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Solutions(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) solution(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Solution(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) assignSeat(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.SeatRequest
	wr, err := decodeWrite(r, "seat.assign", &req)
	if err != nil {
		return err
	}
	res, err := s.cfg.Store.AssignSeatResult(r.Context(), c, wr, r.PathValue("id"), req.Email, !minimal(r))
	if err != nil {
		return err
	}
	writeSeatAnswer(w, r, http.StatusCreated, res)
	return nil
}

func (s *Server) removeSeat(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "seat.remove", nil)
	if err != nil {
		return err
	}
	res, err := s.cfg.Store.RemoveSeatResult(r.Context(), c, wr, r.PathValue("id"), r.PathValue("ref"), !minimal(r))
	if err != nil {
		return err
	}
	writeSeatAnswer(w, r, http.StatusOK, res)
	return nil
}

func (s *Server) reassignSeat(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.ReassignRequest
	wr, err := decodeWrite(r, "seat.reassign", &req)
	if err != nil {
		return err
	}
	res, err := s.cfg.Store.ReassignSeatResult(r.Context(), c, wr, r.PathValue("id"), req.From, req.To, !minimal(r))
	if err != nil {
		return err
	}
	writeSeatAnswer(w, r, http.StatusOK, res)
	return nil
}

// minimal reports whether the request asked for the changed seat alone
// (RFC 7240 "Prefer: return=minimal") rather than the license's whole
// view, which grows with the license's seats.
func minimal(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// writeSeatAnswer answers a seat write in the form the request asked for.
func writeSeatAnswer(w http.ResponseWriter, r *http.Request, status int, res store.SeatResult) {
	if minimal(r) {
		w.Header().Set("Preference-Applied", "return=minimal")
		writeJSON(w, status, res.Change)
		return
	}
	writeJSON(w, status, res.Solution)
}

func (s *Server) assigned(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Assigned(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) adopt(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.AdoptRequest
	wr, err := decodeWrite(r, "adoption.adopt", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.Adopt(r.Context(), c, wr, req.LicenseID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// seatMail writes the e-mail of source 000 for one seat transition.
func seatMail(n store.Notice, baseURL string) mail.Message {
	m := seatMailText(n, baseURL)
	kind := map[string]string{"invite": "seat.invited", "removed": "seat.removed"}[n.Kind]
	if kind == "" {
		kind = "seat.assigned"
	}
	m.Headers = []mail.Header{{Name: mail.HeaderKind, Value: kind}, {Name: mail.HeaderLicense, Value: n.LicenseID},
		{Name: mail.HeaderProduct, Value: n.Product}}
	if baseURL != "" {
		m.Headers = append(m.Headers, mail.Header{Name: mail.HeaderPortal, Value: baseURL})
	}
	return m
}

// seatMailText is the seat e-mail's subject and body.
func seatMailText(n store.Notice, baseURL string) mail.Message {
	switch n.Kind {
	case "invite":
		portalFlag := " --portal " + shellQuote(baseURL)
		if baseURL == "" {
			portalFlag = " --portal PORTAL-ADDRESS"
		}
		return mail.Message{To: n.To,
			Subject: fmt.Sprintf("%s assigned you a %s license: create your account", n.OwnerName, n.Product),
			Body: fmt.Sprintf("Hello,\n\n%s assigned you a seat of %s (license %s).\n\n"+
				"You have no License Desk account yet. Create one with this e-mail address (%s),\n"+
				"in the License Desk window or with:\n\n    licdesk signup%s --email %s\n\n"+
				"Once your account exists the seat becomes yours, and %s runs when you log in with this address.\n",
				n.OwnerName, n.Product, n.LicenseID, n.To, portalFlag, shellQuote(n.To), n.Product)}
	case "removed":
		return mail.Message{To: n.To,
			Subject: fmt.Sprintf("Your %s license from %s was removed", n.Product, n.OwnerName),
			Body: fmt.Sprintf("Hello,\n\n%s removed your seat of %s (license %s).\n"+
				"%s no longer runs with this license when you log in as %s.\n", n.OwnerName, n.Product, n.LicenseID, n.Product, n.To)}
	default:
		return mail.Message{To: n.To,
			Subject: fmt.Sprintf("%s assigned you a %s license", n.OwnerName, n.Product),
			Body: fmt.Sprintf("Hello,\n\n%s assigned you a seat of %s (license %s).\n"+
				"Log in to %s as %s to use it; it is listed under \"Assigned to you\".\n", n.OwnerName, n.Product, n.LicenseID, n.Product, n.To)}
	}
}

// shellQuote quotes a word for a POSIX shell, so that a command in an
// e-mail can be pasted as it is whatever the address holds.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
