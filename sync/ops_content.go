package sync

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// Operation names of keys, support requests and news.
const (
	OpKeyGet           = "key.get"
	OpKeyUpgrade       = "key.upgrade"
	OpKeyAdd           = "key.add"
	OpSupportOpen      = "support.open"
	OpSupportComment   = "support.comment"
	OpSupportClose     = "support.close"
	OpNewsRead         = "news.read"
	OpNewsSubscription = "news.subscription"
)

// LocalPrefix starts the ID of an object made by a write the portal has not
// confirmed yet (a new service request); the portal gives the real ID.
const LocalPrefix = "local-"

// text checks one field of free text; code is the refusal's code, the one
// the portal refuses the same field with where it has one.
func text(code, what, s string, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid(code, "give the "+what)
	}
	if len(s) > maxLen {
		return "", invalid(code, fmt.Sprintf("the %s is at most %d characters", what, maxLen))
	}
	return s, nil
}

// GetKey confirms a serial number and its registration: the portal issues
// the key (source 001). The key arrives in the cache with the next pull.
func GetKey(req api.GetKeyRequest) (Write, error) {
	s, err := core.ParseSerial(req.Serial)
	if err != nil {
		return Write{}, &Error{Kind: Invalid, Code: core.CodeOf(err), Msg: err.Error(), Err: err}
	}
	req.Serial = string(s)
	req.Confirm = true
	return Write{Op: OpKeyGet, Method: http.MethodPost, Path: "/v1/keys/get", Body: jsonBody(req),
		Summary: i18n.Stored("write.key.serial", "Serial", req.Serial)}, nil
}

// UpgradeKey asks for the key of a version upgrade.
func UpgradeKey(req api.UpgradeKeyRequest) (Write, error) {
	if _, err := text("upgrade.notification", "notification ID", req.NotificationID, 100); err != nil {
		return Write{}, err
	}
	if _, err := text(core.CodeProductMissing, "product", req.Product, 100); err != nil {
		return Write{}, err
	}
	if req.Quantity < 1 {
		return Write{}, invalid("upgrade.quantity", "the quantity must be at least 1")
	}
	return Write{Op: OpKeyUpgrade, Method: http.MethodPost, Path: "/v1/keys/upgrade", Body: jsonBody(req),
		Summary: i18n.Stored("write.key.upgrade", "Product", req.Product, "Quantity", req.Quantity, "Notice", req.NotificationID)}, nil
}

// AddKey adds a license key to an account (accountID "" for the user's
// own). An install key is activated on a machine as it is added, which
// needs the machine's fingerprint: that is activation's business, refused
// here.
func AddKey(key, accountID string) (Write, error) {
	k, err := core.ParseKey(key)
	if err != nil {
		return Write{}, &Error{Kind: Invalid, Code: core.CodeOf(err), Msg: err.Error(), Err: err}
	}
	if k.Kind() == core.InstallKey {
		return Write{}, invalid("key.install", "an install key is activated on this machine as it is added: use licdesk activate "+string(k))
	}
	return Write{Op: OpKeyAdd, Method: http.MethodPost, Path: "/v1/keys", Body: jsonBody(api.AddKeyRequest{Key: string(k), AccountID: accountID}),
		Summary: i18n.Stored("write.key.add", "Key", string(k)), Targets: []Ref{{api.KindKey, string(k)}}}, nil
}

// OpenServiceRequest opens a support request. It shows at once under a
// local ID; the portal's ID replaces it once the portal has it.
func OpenServiceRequest(req api.NewServiceRequest) (Write, error) {
	var err error
	if req.Product, err = text(core.CodeProductMissing, "product", req.Product, 100); err != nil {
		return Write{}, err
	}
	if req.Title, err = text("request.title", "title", req.Title, 200); err != nil {
		return Write{}, err
	}
	if req.Description, err = text("request.text", "description", req.Description, 20000); err != nil {
		return Write{}, err
	}
	var b [6]byte
	rand.Read(b[:])
	local := LocalPrefix + hex.EncodeToString(b[:])
	return Write{Op: OpSupportOpen, Method: http.MethodPost, Path: "/v1/support", Body: jsonBody(req),
		Summary: i18n.Stored("write.request.open", "Product", req.Product, "Title", strconv.Quote(req.Title)),
		Targets: []Ref{{api.KindRequest, local}}}, nil
}

// CommentServiceRequest adds a comment to a support request.
func CommentServiceRequest(id, body string) (Write, error) {
	rid, err := idArg("request", id)
	if err != nil {
		return Write{}, err
	}
	if strings.HasPrefix(rid, LocalPrefix) {
		return Write{}, invalid("request.local", "that request is not on the portal yet: comment once it has its SR number (licdesk sync)")
	}
	if body, err = text("request.text", "comment", body, 20000); err != nil {
		return Write{}, err
	}
	return Write{Op: OpSupportComment, Method: http.MethodPost, Path: "/v1/support/" + url.PathEscape(rid) + "/comments",
		Body: jsonBody(api.NewComment{Body: body}), Summary: i18n.Stored("write.request.comment", "Request", rid), Targets: []Ref{{api.KindRequest, rid}}}, nil
}

// CloseServiceRequest closes a support request.
func CloseServiceRequest(id string) (Write, error) {
	rid, err := idArg("request", id)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpSupportClose, Method: http.MethodPost, Path: "/v1/support/" + url.PathEscape(rid) + "/close",
		Summary: i18n.Stored("write.request.close", "Request", rid), Targets: []Ref{{api.KindRequest, rid}}}, nil
}

// MarkNewsRead marks a product's news visited.
func MarkNewsRead(product string) (Write, error) {
	p, err := text(core.CodeProductMissing, "product", product, 100)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpNewsRead, Method: http.MethodPost, Path: "/v1/news/read", Body: jsonBody(api.NewsRead{Product: p}),
		Summary: i18n.Stored("write.news.read", "Product", p), Targets: []Ref{{api.KindNews, p}}}, nil
}

// SubscribeNews switches the e-mails of a product's news on or off.
func SubscribeNews(product string, on bool) (Write, error) {
	p, err := text(core.CodeProductMissing, "product", product, 100)
	if err != nil {
		return Write{}, err
	}
	key := "write.news.unsubscribe"
	if on {
		key = "write.news.subscribe"
	}
	return Write{Op: OpNewsSubscription, Method: http.MethodPut, Path: "/v1/news/subscription",
		Body:    jsonBody(api.NewsSubscription{Product: p, Subscribed: on}),
		Summary: i18n.Stored(key, "Product", p), Targets: []Ref{{api.KindNews, p}}}, nil
}

// keyAddEffect shows an added license key at once; a key the cache holds
// already stays as it is.
func keyAddEffect(env *effectEnv, w Write, _ Ref, cur []byte) ([]byte, error) {
	if cur != nil {
		return cur, nil
	}
	req, err := body[api.AddKeyRequest](w)
	if err != nil {
		return nil, err
	}
	return json.Marshal(api.Key{Key: req.Key, Kind: "license", AccountID: req.AccountID, Status: "added",
		AddedAt: env.now, IssuedAt: env.now, Modules: []string{}, Activations: []api.Activation{}})
}

// supportOpenEffect shows a new service request under its local ID.
func supportOpenEffect(env *effectEnv, w Write, ref Ref, _ []byte) ([]byte, error) {
	req, err := body[api.NewServiceRequest](w)
	if err != nil {
		return nil, err
	}
	return json.Marshal(api.ServiceRequest{ID: ref.ID, AccountID: req.AccountID, Product: req.Product, Title: req.Title,
		Description: req.Description, State: api.RequestOpen, RequesterEmail: env.email, CreatedAt: env.now, UpdatedAt: env.now})
}

func supportCommentEffect(env *effectEnv, w Write, r api.ServiceRequest) (api.ServiceRequest, error) {
	c, err := body[api.NewComment](w)
	if err != nil {
		return r, err
	}
	r.Comments = append(r.Comments, api.RequestComment{AuthorEmail: env.email, AuthorName: env.email, At: env.now, Body: c.Body})
	r.CommentCount++
	r.UpdatedAt = env.now
	return r, nil
}

func supportCloseEffect(env *effectEnv, _ Write, r api.ServiceRequest) (api.ServiceRequest, error) {
	r.State = api.RequestClosed
	r.UpdatedAt = env.now
	return r, nil
}

func newsReadEffect(env *effectEnv, _ Write, n api.ProductNews) (api.ProductNews, error) {
	for i := range n.Items {
		n.Items[i].New = false
	}
	n.NewCount = 0
	now := env.now
	n.LastVisit = &now
	return n, nil
}

func newsSubscriptionEffect(_ *effectEnv, w Write, n api.ProductNews) (api.ProductNews, error) {
	s, err := body[api.NewsSubscription](w)
	if err != nil {
		return n, err
	}
	n.Subscribed = s.Subscribed
	return n, nil
}
