package portal

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/mailscan"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

const testPortalURL = "https://portal.example"

// everyMail is one of each of the portal's e-mails in a language.
func everyMail(l *i18n.Lang) map[string]mail.Message {
	n := store.Notice{To: "pablo@correo.example", LicenseID: "lic_abc123", Product: "Eberick", OwnerName: "Acme Engenharia"}
	inv, asg, rem := n, n, n
	inv.Kind, asg.Kind, rem.Kind = "invite", "assigned", "removed"
	item := api.NewsItem{ID: "nws_1", Product: "Eberick", Title: "Eberick 2026.1", Body: "Faster slabs.",
		Severity: "warning", PublishedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	return map[string]mail.Message{
		"invite":   seatMail(inv, testPortalURL, l),
		"assigned": seatMail(asg, testPortalURL, l),
		"removed":  seatMail(rem, testPortalURL, l),
		"verify":   verifyMail(store.VerifyMail{To: "pablo@correo.example", Code: "12345678"}, testPortalURL, l),
		"news":     newsMail(store.Subscriber{Email: "pablo@correo.example", Name: "Pablo"}, item, testPortalURL, l),
		"demokeys": demoKeysMail("pablo@correo.example", l),
	}
}

// License Desk reads the portal's own e-mails from the user's mailbox
// (mailscan): in every language they carry what it looks for, and every
// placeholder of their words is filled.
func TestMails_InEveryLanguageMailscanFindsWhatTheyCarry(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, tag := range i18n.Supported {
		l := i18n.New(tag)
		t.Run(tag.String(), func(t *testing.T) {
			mails := everyMail(l)
			found := map[string][]mailscan.Finding{}
			for name, m := range mails {
				for _, s := range []string{m.Subject, m.Body} {
					assert.NotContains(t, s, "<no value>", "%s: a placeholder is not filled", name)
					assert.NotContains(t, s, "mail.", "%s: a key is not in the catalog", name)
				}
				msg, err := mailscan.Parse(mail.Encode(m, now))
				require.NoError(t, err, name)
				assert.Equal(t, m.Subject, msg.Subject, "%s: the subject survives its encoding", name)
				found[name] = msg.Findings
			}
			has := func(name string, want mailscan.Finding) {
				t.Helper()
				for _, f := range found[name] {
					if f.Kind == want.Kind && f.Value == want.Value && f.License == want.License && f.Product == want.Product {
						return
					}
				}
				t.Errorf("%s in %s: %+v not among %+v", name, tag, want, found[name])
			}
			seat := func(k mailscan.Kind) mailscan.Finding {
				return mailscan.Finding{Kind: k, Value: "lic_abc123", License: "lic_abc123", Product: "Eberick"}
			}
			has("invite", seat(mailscan.Invitation))
			has("assigned", seat(mailscan.SeatAssigned))
			has("removed", seat(mailscan.SeatRemoved))
			has("news", mailscan.Finding{Kind: mailscan.News, Value: "nws_1", Product: "Eberick"})
			has("demokeys", mailscan.Finding{Kind: mailscan.Serial, Value: DemoSerial})
			assert.Contains(t, mails["verify"].Subject, "12345678")
			assert.Contains(t, mails["verify"].Body, "    12345678\n", "the code stands on its own line")
			assert.Contains(t, mails["invite"].Body, "licdesk signup --portal 'https://portal.example' --email 'pablo@correo.example'",
				"the command is the same in every language")
		})
	}
}

// The English e-mails are, byte for byte, the texts the portal wrote
// before they came from the catalog.
func TestMails_EnglishIsUnchanged(t *testing.T) {
	m := everyMail(i18n.English())
	assert.Equal(t, "Acme Engenharia assigned you a Eberick license: create your account", m["invite"].Subject)
	assert.Equal(t, fmt.Sprintf("Hello,\n\n%s assigned you a seat of %s (license %s).\n\n"+
		"You have no License Desk account yet. Create one with this e-mail address (%s),\n"+
		"in the License Desk window or with:\n\n    licdesk signup%s --email %s\n\n"+
		"Once your account exists the seat becomes yours, and %s runs when you log in with this address.\n",
		"Acme Engenharia", "Eberick", "lic_abc123", "pablo@correo.example", " --portal 'https://portal.example'", "'pablo@correo.example'", "Eberick"), m["invite"].Body)
	assert.Equal(t, "Acme Engenharia assigned you a Eberick license", m["assigned"].Subject)
	assert.Equal(t, "Hello,\n\nAcme Engenharia assigned you a seat of Eberick (license lic_abc123).\n"+
		"Log in to Eberick as pablo@correo.example to use it; it is listed under \"Assigned to you\".\n", m["assigned"].Body)
	assert.Equal(t, "Your Eberick license from Acme Engenharia was removed", m["removed"].Subject)
	assert.Equal(t, "Hello,\n\nAcme Engenharia removed your seat of Eberick (license lic_abc123).\n"+
		"Eberick no longer runs with this license when you log in as pablo@correo.example.\n", m["removed"].Body)
	q := url.Values{"email": {"pablo@correo.example"}, "code": {"12345678"}}
	assert.Equal(t, "Your License Desk code: 12345678", m["verify"].Subject)
	assert.Equal(t, "Hello,\n\nsomeone (we hope you) created a License Desk account for pablo@correo.example.\n"+
		"Enter this code in License Desk to confirm the address is yours:\n\n    12345678\n"+
		"\nOr open this page and confirm:\n\n    https://portal.example/verify?"+q.Encode()+"\n"+
		"\nThe code is valid for 24 hours. If you did not sign up, ignore this e-mail: the account stays unconfirmed.\n", m["verify"].Body)
	assert.Equal(t, "[Eberick] Warning: Eberick 2026.1", m["news"].Subject)
	assert.Equal(t, "Hello Pablo,\n\nEberick news, 26 November 2026 (warning):\n\nEberick 2026.1\n\nFaster slabs.\n"+
		"\nAll Eberick news as a feed: https://portal.example/v1/news/Eberick/rss\n\n"+
		"You receive this because you subscribed to Eberick news and alerts. To stop, switch the\n"+
		"e-mails off under Support & news in License Desk.\n", m["news"].Body)
	assert.True(t, strings.HasPrefix(m["demokeys"].Body, "Hello,\n\nThank you for your purchase of "))
}

func TestMails_OtherLanguagesAreWrittenInThemWithLocalDates(t *testing.T) {
	es := everyMail(i18n.New(language.Spanish))
	assert.Equal(t, "Acme Engenharia le asignó un puesto de Eberick", es["assigned"].Subject)
	assert.True(t, strings.HasPrefix(es["assigned"].Body, "Hola:\n\nAcme Engenharia le asignó un puesto de Eberick (licencia lic_abc123).\n"))
	pt := everyMail(i18n.New(language.BrazilianPortuguese))
	assert.Equal(t, "[Eberick] Aviso: Eberick 2026.1", pt["news"].Subject)
	assert.Contains(t, pt["news"].Body, "Notícia de Eberick, 26/11/2026 (aviso):")
	fr := everyMail(i18n.New(language.French))
	assert.Equal(t, "Votre code License Desk : 12345678", fr["verify"].Subject)
}
