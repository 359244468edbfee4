package sync

// TokenName is the name a login's session token is kept under in the
// profile's secrets: one per e-mail and portal, so that the command line and
// the window find each other's sessions.
func TokenName(portal, email string) string { return "token " + email + " " + portal }

// Identity names the login writes are made under ("e-mail at portal"), ""
// when either part is missing (SyncerConfig.Identity).
func Identity(portal, email string) string {
	if portal == "" || email == "" {
		return ""
	}
	return email + " at " + portal
}
