package portal

import (
	"net/http"
	"strings"

	"github.com/licdesk/licdesk/api"
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
