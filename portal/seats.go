package portal

import (
	"net/http"

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
	sol, err := s.cfg.Store.AssignSeat(r.Context(), c, wr, r.PathValue("id"), req.Email)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sol)
	return nil
}

func (s *Server) removeSeat(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "seat.remove", nil)
	if err != nil {
		return err
	}
	sol, err := s.cfg.Store.RemoveSeat(r.Context(), c, wr, r.PathValue("id"), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sol)
	return nil
}

func (s *Server) reassignSeat(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.ReassignRequest
	wr, err := decodeWrite(r, "seat.reassign", &req)
	if err != nil {
		return err
	}
	sol, err := s.cfg.Store.ReassignSeat(r.Context(), c, wr, r.PathValue("id"), req.From, req.To)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sol)
	return nil
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
