package portal

import "context"

// keyRoutes registers the endpoints of keys, activations and signing keys.
func (s *Server) keyRoutes() {}

// demoKeys loads the demo serials, keys and activations.
func (sd Seeder) demoKeys(ctx context.Context, userID, accountID string) error { return nil }
