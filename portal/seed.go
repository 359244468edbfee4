package portal

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// DemoPassword is the password of every demo login. Demo data exists only
// behind `licportal seed --demo` and `licdesk --demo`.
const DemoPassword = "demo-password"

// DemoLogin is one demo user and what they can show.
type DemoLogin struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Account  string `json:"account"`
	Roles    string `json:"roles"`
}

// Seeder loads data into a store through the same operations users run, so
// that the audit trail, change feed and e-mails are what they would be.
type Seeder struct {
	Store *store.Store
	Mail  mail.Sender
	Now   time.Time
	// FilesDir is the portal's downloads folder (Config.FilesDir), where
	// the demo's installers are stored.
	FilesDir string
	// BaseURL is where users reach the portal, named in the e-mails'
	// commands; "" leaves the e-mails queued for the portal to send.
	BaseURL string
}

type demoUser struct {
	email, name, account, roles string
	id, acct                    string
}

// Demo loads data that plays out the five source documents and returns the
// logins. It refuses a database that already has a demo user.
func (sd Seeder) Demo(ctx context.Context) ([]DemoLogin, error) {
	users := []*demoUser{
		{email: "ana@acme.example", name: "Ana Souza", account: "Acme Engenharia",
			roles: "owner of Acme; holds Eberick from Acme and from Beta (adopt one); " + DemoKeyedProduct + " keys on " + DemoMachine +
				"; unused serial " + DemoSerial + " (licdesk keys get); upgrade notification " + DemoUpgradeNotification +
				" (licdesk keys upgrade)"},
		{email: "bruno@beta.example", name: "Bruno Lima", account: "Beta Projetos", roles: "owner of Beta; assigned Ana a seat"},
		{email: "carla@acme.example", name: "Carla Dias", account: "Carla Dias", roles: "member of Acme; holds an Acme seat"},
		{email: "paula@nimbus.example", name: "Paula Reis", account: "Nimbus Partners",
			roles: "partner: orders, one waiting for a customer; manages Acme by delegation"},
		{email: "carlos@cobalt.example", name: "Carlos Mendes", account: "Cobalt Telecom",
			roles: "owner of Cobalt; MiTeam Meetings under an external controller (read-only switches)"},
		{email: "eva@cobalt.example", name: "Eva Torres", account: "Eva Torres", roles: "member of Cobalt without a license"},
	}
	for _, u := range users {
		if _, _, err := sd.Store.Credentials(ctx, core.Email(u.email)); err == nil {
			return nil, fmt.Errorf("seed demo: %s exists already: this database was seeded before", u.email)
		}
		created, err := sd.Store.CreateUser(ctx, core.Email(u.email), u.name, u.account, hashPassword(DemoPassword))
		if err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
		u.id = created.ID
		// The vendor vouches for its demo people: no code to enter.
		if err := sd.Store.MarkVerified(ctx, core.Email(u.email)); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
		if u.acct, err = sd.Store.OwnedAccount(ctx, u.id); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}
	ana, bruno, carla, paula, carlos, eva := users[0], users[1], users[2], users[3], users[4], users[5]
	now := sd.Now.UTC()
	year := now.AddDate(1, 0, 0)
	issue := func(u *demoUser, spec store.LicenseSpec) (string, error) {
		if spec.Start.IsZero() {
			spec.Start = now.AddDate(0, -2, 0)
		}
		if spec.Expiry.IsZero() {
			spec.Expiry = year
		}
		return sd.Store.IssueLicense(ctx, u.acct, spec)
	}
	acmeEberick, err := issue(ana, store.LicenseSpec{Product: "Eberick", Edition: core.EditionProfessional,
		Modules: []string{"Concrete", "Foundations"}, Seats: 5, ContractNumber: "ACME-EB-2026"})
	if err != nil {
		return nil, err
	}
	acmeQi, err := issue(ana, store.LicenseSpec{Product: "QiBuilder", Edition: core.EditionStandard,
		Modules: []string{"Hydraulics", "Electrical"}, Seats: 3, ContractNumber: "ACME-QI-2026",
		// Maintenance ran out while the license still runs: "renew".
		SupportEnd: now.AddDate(0, 0, -20)})
	if err != nil {
		return nil, err
	}
	betaEberick, err := issue(bruno, store.LicenseSpec{Product: "Eberick", Edition: core.EditionEnterprise,
		Modules: []string{"Concrete", "Foundations", "Masonry"}, Seats: 2, ContractNumber: "BETA-EB-2026",
		// Ending soon and not renewed: the 10-day subscription warning shows.
		Expiry: now.AddDate(0, 0, 8), NotRenewed: true})
	if err != nil {
		return nil, err
	}
	cobaltMeet, err := issue(carlos, store.LicenseSpec{Product: "MiTeam Meetings", Edition: core.EditionStandard,
		Modules: []string{"Meetings"}, Seats: 3, ContractNumber: "COBALT-MT-2026"})
	if err != nil {
		return nil, err
	}

	caller := func(u *demoUser) (store.Caller, error) { return sd.Store.Caller(ctx, u.id) }
	var steps []func() error
	seat := func(u *demoUser, lic, email string) {
		steps = append(steps, func() error {
			c, err := caller(u)
			if err != nil {
				return err
			}
			_, err = sd.Store.AssignSeat(ctx, c, store.Write{}, lic, email)
			return err
		})
	}
	seat(ana, acmeEberick, ana.email)          // the owner's own use takes a seat
	seat(ana, acmeEberick, carla.email)        // a colleague
	seat(ana, acmeQi, "diego@newhire.example") // no account yet: Pending, invitation written
	seat(bruno, betaEberick, ana.email)        // a second owner's Eberick for Ana
	seat(carlos, cobaltMeet, carlos.email)     // Cobalt's own user license
	for _, st := range steps {
		if err := st(); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}

	// Members, the partner and its orders, the delegation, the integration.
	// Membership is an offer the person accepts: the demo's members did.
	join := func(owner, member *demoUser) error {
		cOwner, err := caller(owner)
		if err != nil {
			return err
		}
		if _, err := sd.Store.AddMember(ctx, cOwner, store.Write{}, owner.acct, member.email, "member"); err != nil {
			return err
		}
		cMember, err := caller(member)
		if err != nil {
			return err
		}
		_, err = sd.Store.AcceptOffer(ctx, cMember, store.Write{}, owner.acct)
		return err
	}
	if err := join(ana, carla); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if err := join(carlos, eva); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	cAna, _ := caller(ana)
	cCarlos, _ := caller(carlos)
	if err := sd.Store.SetPartner(ctx, paula.acct, true); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	cPaula, _ := caller(paula)
	sold, err := sd.Store.CreateOrder(ctx, cPaula, store.Write{}, paula.acct,
		api.NewOrder{Product: "AltoQi Visus", Edition: "professional", Modules: []string{"Viewer", "Clash"}, Quantity: 4})
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if _, err := sd.Store.AssignOrder(ctx, cPaula, store.Write{}, sold.ID, ana.acct); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if _, err := sd.Store.CreateOrder(ctx, cPaula, store.Write{}, paula.acct,
		api.NewOrder{Product: "MiTeam Meetings", Edition: "standard", Modules: []string{"Meetings"}, Quantity: 10}); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if _, err := sd.Store.SetDelegation(ctx, cAna, store.Write{}, ana.acct, paula.acct); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	on := true
	if _, err := sd.Store.SetIntegration(ctx, cCarlos, store.Write{}, carlos.acct, "MiTeam Meetings",
		api.IntegrationSwitches{ProductOn: &on, ExternalController: &on}); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if _, err := sd.Store.RegisterProduct(ctx, cAna, store.Write{}, ana.acct, "ACME-EB-2026", ""); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if _, err := sd.Store.RegisterProduct(ctx, cAna, store.Write{}, ana.acct, "ACME-QI-2026", ""); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}

	if err := sd.demoKeys(ctx, ana.id, ana.acct); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if err := sd.demoContent(ctx, ana.id, ana.acct); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}

	// The vendor's letter with what the demo user can register: the
	// serial and the upgrade notification are found where a customer
	// finds them, in an e-mail.
	if sd.Mail != nil {
		lang, err := sd.Store.LanguageOf(ctx, core.Email(ana.email))
		if err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
		if err := sd.Mail.Send(ctx, demoKeysMail(ana.email, mailLang(lang))); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}

	// Deliver the e-mails the demo's writes queued (the invitation), when
	// the portal's address is known: their commands name it. Otherwise the
	// portal that serves this database sends them with its own address.
	if sd.BaseURL != "" {
		if _, err := deliverMail(ctx, sd.Store, sd.Mail, sd.BaseURL, slog.New(slog.DiscardHandler), time.Now, defaultMailClaim); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}

	out := make([]DemoLogin, len(users))
	for i, u := range users {
		out[i] = DemoLogin{Email: u.email, Password: DemoPassword, Name: u.name, Account: u.account, Roles: u.roles}
	}
	return out, nil
}

// ScaleOwner is the login that owns the synthetic data set.
const ScaleOwner = "scale@scale.example"

// Scale loads n licenses of 10 seats each (7 assigned, 3 available) owned by
// one account, for benchmarks, and returns its owner's login.
func (sd Seeder) Scale(ctx context.Context, n int) (DemoLogin, error) {
	if n < 1 || n > 1000000 {
		return DemoLogin{}, fmt.Errorf("seed scale: N must be between 1 and 1000000")
	}
	u, err := sd.Store.CreateUser(ctx, ScaleOwner, "Scale Owner", "Scale Co", hashPassword(DemoPassword))
	if err != nil {
		return DemoLogin{}, fmt.Errorf("seed scale: %w", err)
	}
	if err := sd.Store.MarkVerified(ctx, ScaleOwner); err != nil {
		return DemoLogin{}, fmt.Errorf("seed scale: %w", err)
	}
	acct, err := sd.Store.OwnedAccount(ctx, u.ID)
	if err != nil {
		return DemoLogin{}, fmt.Errorf("seed scale: %w", err)
	}
	if err := sd.Store.BulkLoad(ctx, acct, n, 10, 7, sd.Now); err != nil {
		return DemoLogin{}, fmt.Errorf("seed scale: %w", err)
	}
	return DemoLogin{Email: ScaleOwner, Password: DemoPassword, Name: "Scale Owner", Account: "Scale Co",
		Roles: fmt.Sprintf("owner of %d licenses, %d seats", n, n*10)}, nil
}
