package contract

import (
	"time"

	"github.com/gatehouse/gatehouse/gatehouse/gatehousetest"
)

// Start is where every NewClock starts: a fixed instant in UTC with a fraction of a second
// that fills all six microsecond digits, so a store that drops or rounds them is caught.
var Start = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// Clock is the test kit's clock, which moves only when told to.
type Clock = gatehousetest.Clock

// NewClock returns a clock standing at Start.
func NewClock() *Clock { return gatehousetest.NewClock(Start) }
