package core

// The published error codes. Clients switch on them (the portal maps them
// to problem types, the client's outbox decides from them whether a refused
// write is final), so a code never changes meaning or spelling once
// released; add new ones instead. Each comment gives the Kind it comes with.
// Every code made anywhere (these, the portal's, the client's) is also in
// the one registry, api.Codes, with its kind, HTTP status and the client's
// wording; a test there walks the source and fails on a code missing.
const (
	CodeEmailEmpty   = "email.empty"    // Invalid
	CodeEmailTooLong = "email.too_long" // Invalid
	CodeEmailInvalid = "email.invalid"  // Invalid

	CodeLicenseInvalid   = "license.invalid"    // Invalid: a stored license breaks an invariant
	CodeSeatStateUnknown = "seat.state_unknown" // Invalid
	CodeSeatDuplicate    = "seat.duplicate"     // Conflict: the address already holds a seat of the license
	CodeSeatFull         = "seat.full"          // Conflict: no Available seat
	CodeSeatNotHeld      = "seat.not_held"      // NotFound: no held seat matches the seat ID or address

	CodeCloudLoginNoSeat  = "cloudlogin.no_seat" // Forbidden
	CodeCloudLoginPending = "cloudlogin.pending" // Forbidden: the seat waits for the account
	CodeCloudLoginExpired = "cloudlogin.expired" // Expired

	CodeRoleUnknown  = "role.unknown"   // Invalid
	CodeAccessNoRole = "access.no_role" // Forbidden: the actor has no role in the account
	CodeAccessDenied = "access.denied"  // Forbidden: the actor's role does not allow the action

	CodeEditionUnknown  = "edition.unknown"   // Invalid
	CodeAdoptionNone    = "adoption.none"     // NotFound: nothing of the product is assigned to the user
	CodeAdoptionNotHeld = "adoption.not_held" // NotFound: adopting a license not assigned to the user

	CodeRegistrationMissing = "registration.missing" // Invalid: a required field is empty
	CodeRegistrationField   = "registration.field"   // Invalid: too long or control characters
	CodeRegistrationCountry = "registration.country" // Invalid
	CodeRegistrationPhone   = "registration.phone"   // Invalid
	CodeSerialFormat        = "serial.format"        // Invalid
	CodeSerialChecksum      = "serial.checksum"      // Invalid: a typo
	CodeKeyKind             = "key.kind"             // Invalid: no INS or LIC prefix
	CodeKeyFormat           = "key.format"           // Invalid
	CodeKeyChecksum         = "key.checksum"         // Invalid: a typo
	CodeKeyInstallOffline   = "key.install_offline"  // Offline
	CodeUpgradeNotification = "upgrade.notification" // Invalid
	CodeUpgradeProduct      = "upgrade.product"      // Invalid
	CodeUpgradeQuantity     = "upgrade.quantity"     // Invalid

	CodeActivationInvalid      = "activation.invalid"       // Invalid: malformed activation input
	CodeActivationFingerprint  = "activation.fingerprint"   // Invalid: no readable hardware component
	CodeActivationInactive     = "activation.inactive"      // Conflict or Forbidden: deactivated
	CodeActivationGraceExpired = "activation.grace_expired" // Expired: reactivate
	CodeActivationOtherMachine = "activation.other_machine" // Forbidden: the fingerprint shares no strong component
	CodeActivationLimit        = "activation.limit"         // Conflict: the key is active on as many machines as it allows
	CodeActivationRebindLimit  = "activation.rebind_limit"  // Conflict: too many re-binds of the key's activations lately

	CodeIntegrationOff      = "integration.off"             // Forbidden: product integration is off
	CodeIntegrationReadOnly = "integration.readonly"        // Forbidden: the external controller owns the licenses
	CodeIntegrationNoFree   = "integration.no_free_license" // Conflict

	CodeOrderAssigned       = "order.assigned"        // Conflict
	CodeOrderCustomer       = "order.customer"        // Invalid
	CodeOrderLicenseMissing = "order.license_missing" // NotFound
	CodeOrderLicenseOwner   = "order.license_owner"   // Conflict
	CodeOrderSeatsInUse     = "order.seats_in_use"    // Conflict

	CodeProductMissing       = "product.missing"        // Invalid
	CodeProductSourceUnknown = "product.source_unknown" // Invalid
	CodeVersionFormat        = "version.format"         // Invalid
)
