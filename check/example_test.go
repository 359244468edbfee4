package check_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/licdesk/licdesk/check"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// A protected program checks its license first thing in main, with its
// portal's public keys embedded (//go:embed licdesk-keys.json) so that a
// key added to the user's profile cannot vouch for a forged license.
func Example() {
	var portalKeys []byte // //go:embed licdesk-keys.json
	ctx := context.Background()
	lic, err := check.Product(ctx, "CAD Studio", check.Module("render"), check.KeysJSON(portalKeys))
	var refused *check.Error
	switch {
	case errors.As(err, &refused):
		for _, r := range refused.Reasons {
			fmt.Fprintf(os.Stderr, "%s (%s): %s\n", r.Code, r.Action, r.Message)
		}
		os.Exit(3)
	case err != nil:
		log.Fatal(err)
	}
	if lic.Warning != "" {
		fmt.Fprintln(os.Stderr, "warning:", lic.Warning)
	}
	fmt.Println("licensed to", lic.Owner, "edition", lic.Edition)
}

// ExampleProduct sets up a profile as licdesk leaves it after an offline
// activation (the portal's key trusted, a node-locked license installed)
// and checks it as the program would, then after a hardware change.
func ExampleProduct() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	home, portal, cleanup := exampleProfile()
	defer cleanup()
	thisMachine := fakeMachine("3d1219c7c4c5404aaa1f6d2a48adfda4", 16<<30)
	installNodeLocked(home, portal, thisMachine, now)

	lic, err := check.Product(ctx, "CAD Studio", check.Home(home), check.Module("render"),
		check.Keys(licensefile.TrustedKeys{portal.KeyID: portal.Public()}),
		check.Clock(func() time.Time { return now }), check.Hardware(thisMachine))
	fmt.Println(lic.LicenseID, lic.Edition, err)

	// The processor and memory were replaced and the OS reinstalled on the
	// same disk: 1 of 4 components still matches, a strong one (the disk),
	// so the 7-day grace starts. (A machine sharing no strong component, such as the OS ID or
	// the disk serial, is another machine and gets no grace.)
	moved := machine.SourceFunc(func(ctx context.Context) (machine.Identifiers, error) {
		id, err := thisMachine.Identifiers(ctx)
		id.MachineID, id.MemoryBytes, id.CPUModel = "0123456789abcdef0123456789abcdef", 32<<30, "151"
		return id, err
	})
	lic, err = check.Product(ctx, "CAD Studio", check.Home(home), check.Clock(func() time.Time { return now.Add(time.Hour) }),
		check.Hardware(moved))
	fmt.Println(lic.GraceDaysLeft, "days of grace left;", err)

	_, err = check.Product(ctx, "CAD Studio", check.Home(home), check.Clock(func() time.Time { return now.AddDate(0, 0, 8) }),
		check.Hardware(moved))
	var refused *check.Error
	if errors.As(err, &refused) {
		fmt.Println(refused.Reasons[0].Code, refused.Reasons[0].Action)
	}
	// Output:
	// LIC-0001 Professional <nil>
	// 7 days of grace left; <nil>
	// hardware_changed reactivate
}

func fakeMachine(machineID string, mem uint64) machine.Source {
	return machine.SourceFunc(func(context.Context) (machine.Identifiers, error) {
		return machine.Identifiers{MachineID: machineID, CPUVendor: "GenuineIntel", CPUFamily: "6", CPUModel: "106",
			MemoryBytes: mem, DiskSerial: "disk-" + machineID[:4]}, nil
	})
}

// exampleProfile makes an empty profile folder trusting a portal key.
func exampleProfile() (string, licensefile.Signer, func()) {
	home, err := os.MkdirTemp("", "licdesk-example-")
	if err != nil {
		log.Fatal(err)
	}
	seed := sha256.Sum256([]byte("example portal"))
	portal, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		log.Fatal(err)
	}
	st, err := machine.OpenStore(home)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := st.Trust(context.Background(), licensefile.TrustedKeys{portal.KeyID: portal.Public()}); err != nil {
		log.Fatal(err)
	}
	return home, portal, func() { os.RemoveAll(home) }
}

// installNodeLocked installs a license bound to the machine src reads.
func installNodeLocked(home string, portal licensefile.Signer, src machine.Source, now time.Time) {
	ctx := context.Background()
	fp, err := machine.CollectFrom(ctx, src)
	if err != nil {
		log.Fatal(err)
	}
	file, err := portal.Sign(licensefile.Payload{Kind: licensefile.KindActivation, LicenseID: "LIC-0001", Product: "CAD Studio",
		Edition: "Professional", Modules: []string{"render"}, Fingerprint: fp, Issued: now.Add(-time.Hour),
		ActivationID: "ACT-1"})
	if err != nil {
		log.Fatal(err)
	}
	st, _ := machine.OpenStore(home)
	if _, err := st.Install(ctx, file, now, core.Fingerprint(fp)); err != nil {
		log.Fatal(err)
	}
}
