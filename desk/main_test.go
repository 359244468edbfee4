package desk_test

import (
	"testing"

	"github.com/licdesk/licdesk/machine/machinetest"
)

// TestMain keeps the second copy of the offline state of the profiles the
// tests open out of the user's config folder.
func TestMain(m *testing.M) { machinetest.Main(m) }
