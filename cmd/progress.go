package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

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
func startProgress(w io.Writer, live *stats.Live, total time.Duration) *progress {
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
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var last stats.LiveTotals
		for {
			select {
			case <-ctx.Done():
				fmt.Fprint(p.w, "\r\033[K")
				return
			case now := <-t.C:
				cur := live.Read()
				el := now.Sub(start).Round(time.Second)
				of := ""
				if total > 0 {
					of = " of " + total.String()
				}
				fmt.Fprintf(p.w, "\r\033[K  %s%s  %s req/s  %s answered  %s errors  %d open",
					el, of, fmtCount(cur.Responses-last.Responses), fmtCount(cur.Responses), fmtCount(cur.Errors), cur.OpenConns)
				last = cur
			}
		}
	}()
	return p
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
