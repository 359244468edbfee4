package portal

import (
	"net/http"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store"
)

func (s *Server) orders(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Orders(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.NewOrder
	wr, err := decodeWrite(r, "order.create", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.CreateOrder(r.Context(), c, wr, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) assignOrder(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.AssignOrderRequest
	wr, err := decodeWrite(r, "order.assign", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.AssignOrder(r.Context(), c, wr, r.PathValue("id"), req.AccountID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) setDelegation(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.DelegationRequest
	wr, err := decodeWrite(r, "account.delegation", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.SetDelegation(r.Context(), c, wr, r.PathValue("id"), req.PartnerAccountID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) integrations(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Integrations(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) integration(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Integration(r.Context(), c, r.PathValue("id"), r.PathValue("product"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) setIntegration(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.IntegrationSwitches
	wr, err := decodeWrite(r, "integration.switches", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.SetIntegration(r.Context(), c, wr, r.PathValue("id"), r.PathValue("product"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) setUserLicense(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.UserSwitch
	wr, err := decodeWrite(r, "integration.user", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.SetUserLicense(r.Context(), c, wr, r.PathValue("id"), r.PathValue("product"), req.Email, req.On)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) products(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Products(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) registerProduct(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.RegisterProductRequest
	wr, err := decodeWrite(r, "product.register", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.RegisterProduct(r.Context(), c, wr, req.AccountID, req.Number, req.Product)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}
