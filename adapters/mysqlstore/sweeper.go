package mysqlstore

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// sweepBatch is how many expired rows one DELETE removes. Small batches hold row locks only
// briefly, so sweeping never stalls logins the way one table-wide DELETE would.
const sweepBatch = 500

// sweepExpired deletes rows of table whose expires_at has passed, a batch at a time, until
// none are left or ctx ends. The expiry index makes each batch an index range scan.
func (db *DB) sweepExpired(ctx context.Context, table string, now time.Time) (int, error) {
	total := 0
	for {
		n, err := db.exec(ctx, `DELETE FROM `+table+` WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`, now, sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(10 * time.Millisecond): // let other writers in between batches
		}
	}
}

// Sweeper is a store with expired rows to delete.
type Sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// StartSweeper sweeps every interval until the returned stop function is called; stop waits
// for a sweep in progress to end.
func StartSweeper(interval time.Duration, log *slog.Logger, sweepers ...Sweeper) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, s := range sweepers {
				if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
					log.Warn("sweeping expired credentials failed", slog.String("error", err.Error()))
				} else if n > 0 {
					log.Debug("swept expired credentials", slog.Int("rows", n))
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); wg.Wait() }) }
}
