package portal

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal/store"
)

// Password length bounds: long enough to resist guessing, short enough that
// hashing cannot be turned into a denial of service.
const (
	minPassword = 10
	maxPassword = 256
)

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var cr api.Credentials
	if _, err := decodeJSON(r, &cr); err != nil {
		return err
	}
	email, err := core.NormalizeEmail(cr.Email)
	if err != nil {
		return err
	}
	if n := len(cr.Password); n < minPassword || n > maxPassword {
		return core.E(core.Invalid, "account.password",
			fmt.Sprintf("the password must have %d to %d characters", minPassword, maxPassword))
	}
	name, acctName, err := signupNames(cr, email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.limit(ctx, "signup-client:"+s.clientAddr(r), s.cfg.Limits.SignupsPerClient, "sign-ups from your address"); err != nil {
		return err
	}
	if err := s.limit(ctx, "signup-email:"+string(email), s.cfg.Limits.SignupsPerAddress, "sign-ups for this e-mail address"); err != nil {
		return err
	}
	// Refused before the costly hash: a taken address costs one query.
	if taken, err := s.cfg.Store.AddressTaken(ctx, email); err != nil {
		return err
	} else if taken {
		return errAccountExists(email)
	}
	var hash string
	if err := s.withHashSlot(ctx, func() { hash = hashPassword(cr.Password) }); err != nil {
		return err
	}
	// The e-mails to the new user (the verification code first) are in
	// the language the sign-up asked for.
	u, err := s.cfg.Store.CreateUserIn(ctx, email, name, acctName, hash, requestTag(r).String())
	if err != nil {
		return err
	}
	sess, err := s.startSession(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sess)
	return nil
}

func errAccountExists(email core.Email) error {
	return core.E(core.Conflict, "account.exists", "an account already exists for "+string(email))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var cr api.Credentials
	if _, err := decodeJSON(r, &cr); err != nil {
		return err
	}
	u, err := s.authenticate(r, cr.Email, cr.Password)
	if err != nil {
		return err
	}
	sess, err := s.startSession(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

// authenticate checks an e-mail and password under the login throttle
// (growing waits per e-mail and client address, counted in the store). It
// takes as long whether or not the account exists. Every way in with a
// password (the API's login, the activation page) goes through here.
func (s *Server) authenticate(r *http.Request, rawEmail, password string) (store.User, error) {
	email, err := core.NormalizeEmail(rawEmail)
	if err != nil {
		return store.User{}, err
	}
	ctx := r.Context()
	client := "login-client:" + s.clientAddr(r)
	pair := "login:" + string(email) + "|" + s.clientAddr(r)
	wait, err := s.loginWait(ctx, pair, client)
	if err != nil {
		return store.User{}, err
	}
	if wait > 0 {
		return store.User{}, &httpError{status: http.StatusTooManyRequests, code: "auth.rate_limited",
			msg:        fmt.Sprintf("too many failed logins; try again in %d seconds", int(wait.Seconds())+1),
			retryAfter: int(wait.Seconds()) + 1}
	}
	u, hash, err := s.cfg.Store.Credentials(ctx, email)
	if core.KindOf(err) == core.NotFound {
		hash = s.dummyHash()
	} else if err != nil {
		return store.User{}, err
	}
	ok := false
	if len(password) <= maxPassword {
		if err := s.withHashSlot(ctx, func() { ok = checkPassword(hash, password) }); err != nil {
			return store.User{}, err
		}
	}
	if !ok || u.ID == "" {
		for _, k := range []string{pair, client} {
			if err := s.cfg.Store.LoginFailed(ctx, k); err != nil {
				return store.User{}, err
			}
		}
		return store.User{}, refuse(http.StatusUnauthorized, "auth.credentials", "wrong e-mail or password")
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, pair); err != nil {
		return store.User{}, err
	}
	return u, nil
}

func (s *Server) startSession(r *http.Request, u store.User) (api.Session, error) {
	tok, hash := newToken()
	exp := s.cfg.Now().Add(s.cfg.TokenTTL).UTC().Truncate(time.Second)
	if err := s.cfg.Store.CreateToken(r.Context(), u.ID, hash, exp); err != nil {
		return api.Session{}, err
	}
	return api.Session{Token: tok, ExpiresAt: exp, User: api.User{ID: u.ID, Email: string(u.Email), Name: u.Name, Verified: u.Verified}}, nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ store.Caller) error {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err := s.cfg.Store.RevokeToken(r.Context(), tokenHash(tok)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, _ *http.Request, c store.Caller) error {
	me := api.Me{User: userView(c.User), Memberships: []api.Membership{}}
	for _, m := range c.Memberships {
		me.Memberships = append(me.Memberships, api.Membership{AccountID: m.AccountID, AccountName: m.AccountName,
			Role: m.Role.String(), Partner: m.Partner, DelegatedTo: m.DelegatedTo})
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// userView is a user as the API shows them.
func userView(u store.User) api.User {
	return api.User{ID: u.ID, Email: string(u.Email), Name: u.Name, Verified: u.Verified, Language: u.Language}
}

// maxLanguageSetting bounds the language a profile update names: a BCP 47
// tag of a catalog is a few characters.
const maxLanguageSetting = 35

// updateMe changes the caller's own settings: the language of the portal's
// e-mails to them.
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.ProfileUpdate
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	tag, err := i18n.Parse(req.Language)
	if err != nil || len(req.Language) > maxLanguageSetting {
		return core.E(core.Invalid, "account.language", "the language must be one of "+i18n.SupportedList())
	}
	u, err := s.cfg.Store.SetLanguage(r.Context(), c, tag.String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userView(u))
	return nil
}

func (s *Server) members(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	ms, err := s.cfg.Store.Members(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ms)
	return nil
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.MemberRequest
	wr, err := decodeWrite(r, "account.member", &req)
	if err != nil {
		return err
	}
	m, err := s.cfg.Store.AddMember(r.Context(), c, wr, r.PathValue("id"), req.Email, req.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// signupNames checks the person's and the account's names, defaulting the
// person's to the e-mail's local part and the account's to the person's.
func signupNames(cr api.Credentials, email core.Email) (name, acctName string, err error) {
	name, acctName = cr.Name, cr.AccountName
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(string(email), "@")
	}
	if name, err = core.CleanPersonName(name); err != nil {
		return "", "", err
	}
	if strings.TrimSpace(acctName) == "" {
		acctName = name
	}
	if acctName, err = core.CleanAccountName(acctName); err != nil {
		return "", "", err
	}
	return name, acctName, nil
}
