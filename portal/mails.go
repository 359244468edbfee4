package portal

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// The portal's e-mails, each in its recipient's language (the outbox row's,
// chosen when it was queued: store.QueuedMail.Language). Their words are
// the catalogs' "mail.*" keys; what a reader pastes or matches (commands,
// addresses, IDs, the X-Licdesk-* headers mailscan reads) stays as it is
// in every language.

// mailLang is the language of a queued e-mail; English for one queued
// before languages existed, or with a tag no catalog has.
func mailLang(tag string) *i18n.Lang {
	t, err := i18n.Parse(tag)
	if err != nil {
		return i18n.English()
	}
	return i18n.New(t)
}

// hello opens every e-mail, with the blank line after it.
func hello(l *i18n.Lang) string { return l.T("mail.hello") + "\n\n" }

// seatMail writes the e-mail of source 000 for one seat transition.
func seatMail(n store.Notice, baseURL string, l *i18n.Lang) mail.Message {
	m := seatMailText(n, baseURL, l)
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
func seatMailText(n store.Notice, baseURL string, l *i18n.Lang) mail.Message {
	args := []any{"Owner", n.OwnerName, "Product", n.Product, "License", n.LicenseID, "Email", n.To}
	switch n.Kind {
	case "invite":
		portalFlag := " --portal " + shellQuote(baseURL)
		if baseURL == "" {
			portalFlag = " --portal PORTAL-ADDRESS"
		}
		cmd := "licdesk signup" + portalFlag + " --email " + shellQuote(n.To)
		return mail.Message{To: n.To,
			Subject: l.T("mail.seat.invite.subject", args...),
			Body:    hello(l) + l.T("mail.seat.invite.body", append(args, "Command", cmd)...) + "\n"}
	case "removed":
		return mail.Message{To: n.To,
			Subject: l.T("mail.seat.removed.subject", args...),
			Body:    hello(l) + l.T("mail.seat.removed.body", args...) + "\n"}
	default:
		return mail.Message{To: n.To,
			Subject: l.T("mail.seat.assigned.subject", args...),
			Body:    hello(l) + l.T("mail.seat.assigned.body", args...) + "\n"}
	}
}

// shellQuote quotes a word for a POSIX shell, so that a command in an
// e-mail can be pasted as it is whatever the address holds.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// verifyMail is the e-mail carrying a sign-up code and the page link.
func verifyMail(v store.VerifyMail, baseURL string, l *i18n.Lang) mail.Message {
	link := ""
	if baseURL != "" {
		q := url.Values{"email": {v.To}, "code": {v.Code}}
		link = "\n" + l.T("mail.verify.link") + "\n\n    " + strings.TrimRight(baseURL, "/") + "/verify?" + q.Encode() + "\n"
	}
	return mail.Message{To: v.To, Subject: l.T("mail.verify.subject", "Code", v.Code),
		Body: hello(l) + l.T("mail.verify.body", "Email", v.To, "Code", v.Code) + "\n" + link +
			"\n" + l.T("mail.verify.validity") + "\n"}
}

// newsMail writes the e-mail of one news item to one subscriber.
func newsMail(sub store.Subscriber, it api.NewsItem, baseURL string, l *i18n.Lang) mail.Message {
	sev := ""
	if it.Severity != core.SeverityInfo.String() {
		sev = l.Enum("severity", it.Severity) + ": "
	}
	feed := ""
	if baseURL != "" {
		feed = "\n" + l.T("mail.news.feed", "Product", it.Product,
			"URL", fmt.Sprintf("%s/v1/news/%s/rss", strings.TrimSuffix(baseURL, "/"), url.PathEscape(it.Product))) + "\n"
	}
	name := sub.Name
	if name == "" {
		name = sub.Email
	}
	hs := []mail.Header{{Name: mail.HeaderKind, Value: "news.published"}, {Name: mail.HeaderNews, Value: it.ID},
		{Name: mail.HeaderProduct, Value: it.Product}}
	if baseURL != "" {
		hs = append(hs, mail.Header{Name: mail.HeaderPortal, Value: baseURL})
	}
	// The date in the catalog's layout for mails (English keeps its long
	// form, the others their numeric day, as format.date has it).
	date := it.PublishedAt.UTC().Format(l.T("mail.news.date_layout"))
	return mail.Message{To: sub.Email, Headers: hs,
		Subject: fmt.Sprintf("[%s] %s%s", it.Product, sev, it.Title),
		Body: l.T("mail.news.hello", "Name", name) + "\n\n" +
			l.T("mail.news.intro", "Product", it.Product, "Date", date, "Severity", strings.ToLower(l.Enum("severity", it.Severity))) + "\n\n" +
			it.Title + "\n\n" + it.Body + "\n" + feed + "\n" +
			l.T("mail.news.footer", "Product", it.Product) + "\n"}
}

// demoKeysMail is the vendor's e-mail to the demo user with the unused
// serial and the upgrade notification of the demo (sources 001, 002).
func demoKeysMail(to string, l *i18n.Lang) mail.Message {
	get := "licdesk keys get --serial " + DemoSerial + " --company 'Acme Engenharia' --person 'Ana Souza' \\\n" +
		"        --address 'Rua das Flores 100, São Paulo' --country BR"
	upgrade := "licdesk keys upgrade --notification " + DemoUpgradeNotification + " --product '" + DemoUpgradeProduct + "' --quantity 1"
	return mail.Message{To: to,
		Subject: l.T("mail.demo_keys.subject", "Product", DemoKeyedProduct),
		Body: hello(l) + l.T("mail.demo_keys.body", "Product", DemoKeyedProduct, "Serial", DemoSerial,
			"Notification", DemoUpgradeNotification, "Upgrade", DemoUpgradeProduct,
			"GetCommand", get, "UpgradeCommand", upgrade) + "\n"}
}
