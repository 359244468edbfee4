package ui

import (
	"encoding/json"
	"net/url"
	"path"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	lsync "github.com/licdesk/licdesk/sync"
)

// writeText says in the window's language what a queued write does, the
// licenses by name ("atribuir uma licença de Eberick Profissional
// (ACME-EB-2026) a ana@…"). The outbox keeps an English summary (sync's,
// the same for every language, shown in English as it is); the seat and
// product writes are worded here from what they carry, any other shows
// that summary.
func (a *App) writeText(w lsync.Write, names map[string]string) string {
	if a.l.Tag() == language.English {
		return named(a.l.Text(w.Summary), names)
	}
	lic := ""
	if len(w.Targets) > 0 && w.Targets[0].Kind == api.KindSolution {
		lic = w.Targets[0].ID
		if n, ok := names[lic]; ok {
			lic = n
		}
	}
	var b struct{ Email, From, To, Number string }
	json.Unmarshal(w.Body, &b) // a write without a body leaves it empty
	switch {
	case w.Op == lsync.OpSeatAssign && lic != "" && b.Email != "":
		return a.l.T("ui.write.seat.assign", "License", lic, "Email", b.Email)
	case w.Op == lsync.OpSeatRemove && lic != "":
		if e, err := url.PathUnescape(path.Base(w.Path)); err == nil {
			return a.l.T("ui.write.seat.remove", "License", lic, "Email", e)
		}
	case w.Op == lsync.OpSeatReassign && lic != "" && b.From != "" && b.To != "":
		return a.l.T("ui.write.seat.reassign", "License", lic, "From", b.From, "To", b.To)
	case w.Op == lsync.OpProductRegister && b.Number != "":
		return a.l.T("ui.write.product.register", "Number", b.Number)
	}
	return named(a.l.Text(w.Summary), names)
}
