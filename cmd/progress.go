package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// progress prints a live line once a second while a run goes on, on a
// terminal only: it rewrites one line with \r and clears it at the end, so
// logs and pipes get the summary alone.
type progress struct {
	w      io.Writer
	live   *stats.Live
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startProgress starts the printer if w is a terminal; it returns nil
// otherwise. Stop is nil-safe.
func startProgress(w io.Writer, live *stats.Live, warmup, duration time.Duration) *progress {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &progress{w: w, live: live, cancel: cancel}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		start := time.Now()
		// It looks more often than once a second, so a second shows soon
		// after every recorder has closed it, and prints only changes.
		t := time.NewTicker(progressLookEvery)
		defer t.Stop()
		printed := ""
		for {
			select {
			case <-ctx.Done():
				fmt.Fprint(p.w, "\r\033[K")
				return
			case now := <-t.C:
				if line := progressLine(live.Read(), warmup, duration, now.Sub(start)); line != printed {
					fmt.Fprint(p.w, "\r\033[K"+line)
					printed = line
				}
			}
		}
	}()
	return p
}

// progressLookEvery is how often the live line looks at the run's totals.
const progressLookEvery = 100 * time.Millisecond

// progressLine is the live line for the reading cur, elapsed after the
// run began. In the warm-up it shows the warm-up's time; after, the
// seconds of the measured run that every recorder has closed, with the
// responses of the last of them as the rate, so every figure covers whole
// seconds, the same seconds for every loop.
func progressLine(cur stats.LiveTotals, warmup, duration, elapsed time.Duration) string {
	if cur.Seconds == 0 && elapsed < warmup {
		return fmt.Sprintf("  warm-up %s of %s  %s open", scenarios.FormatDuration(elapsed.Truncate(time.Second)), scenarios.FormatDuration(warmup), stats.GroupDigits(cur.OpenConns))
	}
	of := ""
	if duration > 0 {
		of = " of " + scenarios.FormatDuration(duration)
	}
	return fmt.Sprintf("  %s%s  %s req/s  %s answered  %s errors  %s open",
		scenarios.FormatDuration(time.Duration(cur.Seconds)*time.Second), of, fmtCount(cur.LastResponses), fmtCount(cur.Responses), fmtCount(cur.Errors), stats.GroupDigits(cur.OpenConns))
}

// Stop ends the printer and clears its line.
func (p *progress) Stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.wg.Wait()
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
