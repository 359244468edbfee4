// Package core is the domain of License Desk: seats, adoption, keys,
// activation, subscriptions, partners and integrations, as pure rules.
//
// Every function here decides; none acts. Nothing reads the clock (the
// caller passes now), touches a file, the network or a database, or keeps
// package-level state, so the portal, the offline client and the command
// line reach the same decision from the same inputs, and tests need no
// fakes.
//
// Conventions the callers rely on:
//
//   - Transitions take the current state and return the new state, the audit
//     Event it caused and an error. Inputs are never modified: slices are
//     copied before they change, so a caller may keep the old value to roll
//     back (the client's optimistic cache does exactly that).
//   - Transitions that may change nothing return []Event, empty when nothing
//     changed; transitions that always change something return one Event.
//   - Every refusal is an *Error with a stable Code (see errors.go): the
//     portal maps its Kind to an HTTP status and its Code to a problem type,
//     the command line prints its message on one line.
//   - Authorization is a separate step (Authorize): transitions assume the
//     caller has checked that the actor may perform them, so one rule does
//     not get enforced in two places.
//   - Time spans are counted in whole 24-hour days from an instant, never in
//     calendar days, so the answer does not depend on the time zone of the
//     machine that computes it (see timerules.go).
package core
