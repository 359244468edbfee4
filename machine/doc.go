// Package machine is this computer as License Desk sees it: its hardware
// fingerprint, the local license store in a profile folder, and the offline
// license check that "licdesk check", "licdesk launch" and the small check
// package share.
//
// # Fingerprint
//
// Collect reads a few hardware identifiers (the operating system's machine
// ID, the DMI/SMBIOS system UUID, the CPU's vendor, family and model, the
// memory size rounded to GiB, the permanent MAC addresses of physical
// network cards, the system disk's serial number) and returns each as an
// HMAC-SHA256 of its value, so that serial numbers never leave the machine.
// A component that cannot be read is left out: core.MatchFingerprint counts
// it as unknown, never as a mismatch; the machine ID, board UUID, disk
// serial and MACs are strong components, the CPU and memory weak ones. Boot IDs and random or locally
// administered MAC addresses are never used: they change without the machine
// changing.
//
// Tests inject identifiers through a Source in-process; the shipped binary
// has no flag or environment variable that fakes the fingerprint. On Linux
// the source reads /proc, /sys and sysinfo(2) itself (one readlink per
// network interface, the first processor block of /proc/cpuinfo); elsewhere
// it pins gopsutil's HOST_PROC/HOST_SYS paths so that those variables
// cannot redirect it either. A System() value reads the hardware once and
// memoises it for its owner; nothing is cached in a file.
//
// # Store
//
// A Store is a profile folder's license files and what checking them needs:
//
//	licenses/<product-slug>.lic   one signed license file per product
//	trust.json                    the portal key set this profile trusts (windows, revocations)
//	state.json                    the offline state: the latest trusted time seen (never moves
//	                              back), when each hardware mismatch was first seen, the
//	                              activations given up and the keys learned revoked; sealed
//	                              with a MAC bound to the machine, and kept a second time in
//	                              the per-user state folder (EnvStateDir)
//	activations/<slug>.json       offline activations' IDs, nonces and receipt secrets
//	requests/<slug>.req           activation requests written and not yet answered
//
// Every file is written atomically (a private temporary file renamed over the
// old one) with mode 0600.
//
// # Check
//
// Store.Check verifies a product's license file offline: signature against
// the trusted key set only (key windows, revocations), the offline state
// (missing means tampering), clock rollback, deactivated activations, issue
// time, expiry (with the subscription's offline countdown to expiry + 10
// days), offline lease end, module, and the hardware fingerprint with
// core's match rule: another machine's file is refused, a changed machine
// gets the 7-day grace. It returns one Reason per failure, each with a stable Code and
// the Action to suggest.
package machine
