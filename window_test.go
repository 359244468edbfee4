package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/desk"
	lsync "github.com/licdesk/licdesk/sync"
)

func TestDemo_SignsInAsTheOwnerFirst(t *testing.T) {
	d, err := startDemo(context.Background())
	require.NoError(t, err)
	defer d.Close()
	require.NotEmpty(t, d.users)
	assert.Equal(t, "ana@acme.example", d.users[0].Email, "the demo signs in as the owner first")
	assert.Equal(t, d.URL, d.users[0].Portal)
}

// demoLogin opens a profile logged in as a demo user, with the user's
// demo mailbox connected.
func demoLogin(t *testing.T, d *demoPortal, email string) *desk.Desk {
	t.Helper()
	ctx := context.Background()
	for _, u := range d.users {
		if u.Email != email {
			continue
		}
		dk, err := desk.Open(desk.Options{Dir: t.TempDir(), SecretsMode: "file"})
		require.NoError(t, err)
		t.Cleanup(func() { dk.Close() })
		_, err = dk.Login(ctx, desk.Credentials{Portal: u.Portal, Email: u.Email, Password: u.Password})
		require.NoError(t, err)
		require.NotNil(t, u.Mailbox, "every demo user comes with a mailbox")
		_, err = dk.AddMailbox(ctx, u.Mailbox.MailboxSettings, u.Mailbox.Password)
		require.NoError(t, err)
		return dk
	}
	t.Fatalf("no demo user %s", email)
	return nil
}

func TestDemo_ASeatAssignedArrivesAsAMailFindingSecondsLater(t *testing.T) {
	d, err := startDemo(context.Background())
	require.NoError(t, err)
	defer d.Close()
	ctx := context.Background()
	ana := demoLogin(t, d, "ana@acme.example")
	eva := demoLogin(t, d, "eva@cobalt.example")

	// The seed's own e-mails are in the inboxes already: Bruno assigned
	// Ana a seat, which her profile already shows (marked done).
	scan, err := ana.ScanMail(ctx, desk.ScanOptions{})
	require.NoError(t, err)
	var kinds []string
	for _, f := range scan.New {
		kinds = append(kinds, f.Kind+"/"+f.State)
	}
	assert.Contains(t, kinds, "seat-assigned/done")

	c, err := ana.Cache(ctx)
	require.NoError(t, err)
	sols, err := c.Solutions(ctx)
	require.NoError(t, err)
	var license string
	for _, s := range sols {
		if s.ContractNumber == "ACME-EB-2026" {
			license = s.LicenseID
		}
	}
	require.NotEmpty(t, license)
	w, err := lsync.AssignSeat(license, "eva@cobalt.example")
	require.NoError(t, err)
	out, err := ana.Submit(ctx, w, false)
	require.NoError(t, err)
	require.True(t, out.Done)

	// The demo portal's mailer delivers on its own; Eva's next scan finds it.
	var found []lsync.MailFinding
	require.Eventually(t, func() bool {
		s, err := eva.ScanMail(ctx, desk.ScanOptions{Offline: true})
		require.NoError(t, err)
		found = append(found, s.New...)
		return len(found) > 0
	}, 10*time.Second, 200*time.Millisecond)
	assert.Equal(t, "seat-assigned", found[0].Kind)
	assert.Equal(t, license, found[0].License)
}
