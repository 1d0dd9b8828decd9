package mirror

import "time"

// SetClock replaces the mirror's clock (tests of its age).
func SetClock(m *Mirror, now func() time.Time) { m.now = now }
