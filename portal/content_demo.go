package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/blobs"
	"github.com/licdesk/licdesk/portal/store"
)

// demoFile is an installer of the demo: real bytes, made deterministically
// from its name, so that a download's SHA-256 is the same on every seed.
type demoFile struct {
	product, name, version string
	monthsAgo              int
	size                   int
}

// demoBytes returns size bytes that start with a readable line and go on
// with a SHA-256 counter stream keyed by the name: incompressible like an
// installer, and the same every time.
func demoBytes(name string, size int) []byte {
	out := make([]byte, 0, size+sha256.Size)
	out = append(out, "License Desk demo installer: "+name+"\n"...)
	var ctr [8]byte
	for i := uint64(0); len(out) < size; i++ {
		binary.BigEndian.PutUint64(ctr[:], i)
		sum := sha256.Sum256(append([]byte(name), ctr[:]...))
		out = append(out, sum[:]...)
	}
	return out[:size]
}

// demoContent loads the demo downloads, service requests and news of Ana's
// account (Acme: Eberick and QiBuilder): Ana downloaded Eberick 2025.1
// before 2026.1 came out, so her history shows a newer version; two
// requests are open with comments and one is closed; one critical alert is
// new since her last visit and was e-mailed to her, as she subscribed. The
// downloads need Seeder.FilesDir; without it the demo has none.
func (sd Seeder) demoContent(ctx context.Context, userID, accountID string) error {
	c, err := sd.Store.Caller(ctx, userID)
	if err != nil {
		return fmt.Errorf("demo content: %w", err)
	}
	now := sd.Now.UTC()
	if sd.FilesDir != "" {
		dir := blobs.Dir{Path: sd.FilesDir}
		publish := func(f demoFile) (string, error) {
			b := demoBytes(f.name, f.size)
			sum := sha256.Sum256(b)
			v, err := sd.Store.PublishFile(ctx, dir, store.FileSpec{Product: f.product, Name: f.name, Version: f.version,
				ReleasedAt: now.AddDate(0, -f.monthsAgo, 0), Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}, bytes.NewReader(b))
			return v.ID, err
		}
		old, err := publish(demoFile{"Eberick", "Eberick-2025.1-setup.exe", "2025.1", 13, 384 << 10})
		if err != nil {
			return err
		}
		if err := sd.Store.RecordDownload(ctx, c, old); err != nil {
			return err
		}
		for _, f := range []demoFile{
			{"Eberick", "Eberick-2026.1-setup.exe", "2026.1", 1, 448 << 10},
			{"QiBuilder", "QiBuilder-2025.2-setup.exe", "2025.2", 4, 320 << 10},
		} {
			if _, err := publish(f); err != nil {
				return err
			}
		}
	}

	open := func(product, title, desc string) (string, error) {
		r, err := sd.Store.CreateServiceRequest(ctx, c, store.Write{}, api.NewServiceRequest{AccountID: accountID,
			Product: product, Title: title, Description: desc})
		return r.ID, err
	}
	support := func(id string, st core.RequestState, comment string) error {
		_, err := sd.Store.UpdateServiceRequest(ctx, id, store.SupportUpdate{State: st, Comment: comment})
		return err
	}
	crash, err := open("Eberick", "Crash when exporting DWG drawings",
		"Eberick 2025.1 closes without a message when I export the second floor plan to DWG.\nOther floors export fine.")
	if err != nil {
		return err
	}
	if err := support(crash, core.RequestInProgress,
		"Thank you, we reproduced the crash with a plan like yours. A fix is planned for 2026.1.1."); err != nil {
		return err
	}
	offline, err := open("QiBuilder", "Offline activation response rejected",
		"The disconnected workstation refuses the response file generated on the office PC.")
	if err != nil {
		return err
	}
	if err := support(offline, core.RequestWaiting, "Could you send us the request file the workstation wrote?"); err != nil {
		return err
	}
	if _, err := sd.Store.CommentServiceRequest(ctx, c, store.Write{}, offline,
		"Here it is: request-ws07.txt, written this morning at 09:12."); err != nil {
		return err
	}
	question, err := open("Eberick", "Where is the floor-load import?",
		"I cannot find the floor-load import of 2025.1 in the new menus.")
	if err != nil {
		return err
	}
	if err := support(question, 0, "It moved to Tools > Import > Loads in 2026.1."); err != nil {
		return err
	}
	if _, err := sd.Store.CloseServiceRequest(ctx, c, store.Write{}, question); err != nil {
		return err
	}

	for _, n := range []store.NewsSpec{
		{Product: "QiBuilder", Severity: core.SeverityInfo, PublishedAt: now.AddDate(0, -4, 0),
			Title: "QiBuilder 2025.2 improves hydraulic sizing", Body: "Pipe sizing now follows NBR 5626:2020, and reports list every fitting."},
		{Product: "Eberick", Severity: core.SeverityInfo, PublishedAt: now.AddDate(0, -1, 0),
			Title: "Eberick 2026.1 released", Body: "Faster slab analysis, DWG export of reinforcement details, and a new load import menu."},
		{Product: "Eberick", Severity: core.SeverityWarning, PublishedAt: now.AddDate(0, 0, -6),
			Title: "Licensing service maintenance on Saturday", Body: "Online activation pauses from 22:00 to 23:00 UTC. Activated programs keep running."},
	} {
		if _, err := sd.Store.PublishNews(ctx, n); err != nil {
			return err
		}
	}
	if _, err := sd.Store.SetNewsSubscription(ctx, c, store.Write{}, "Eberick", true); err != nil {
		return err
	}
	for _, p := range []string{"Eberick", "QiBuilder"} {
		if _, err := sd.Store.MarkNewsRead(ctx, c, store.Write{}, p); err != nil {
			return err
		}
	}
	// Queued for the subscriber; Demo delivers the queued e-mails at its end.
	_, err = sd.Store.PublishNews(ctx, store.NewsSpec{Product: "Eberick", Severity: core.SeverityCritical,
		Title: "Security update: install Eberick 2026.1", Body: "Eberick 2025.x can run macros embedded in shared projects without asking.\n" +
			"Install 2026.1 from Downloads, or turn macros off under Options > Security."})
	return err
}
