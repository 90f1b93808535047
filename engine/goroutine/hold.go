package goroutine

import (
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// The hold model in goroutine mode: one holder goroutine per slot owns
// exactly one TCP connection (TLS when https) and keeps it open for the
// run. fasthttp is not used here: its pool closes idle connections, and a
// held connection must stay one connection. The holder speaks HTTP itself
// on the sparse requests, with the plan's pre-encoded bytes and the wire
// parser.
//
//	connect k due at NewSchedule(ConnectRate).Due(k) (at once if 0)
//	  |-- HoldEvery --|-- HoldEvery --|...   a request at each tick,
//	  connected      req 1           req 2   latency from the tick
//
// Between requests the holder sits in one Read with the next tick as its
// deadline: the deadline means "send now", EOF or a reset means the server
// dropped the connection, which is counted as closed by the server
// (stats.Counters.ServerClosed, not an error: no request failed), as is
// the close after a response (Connection: close, or a body delimited by
// the close), and replaced.

// holdReadBuf is the size of the read buffer a holder borrows for one
// response. The parser keeps at most one partial line between reads; a
// line that does not fit moves the read to a buffer of the header cap.
const holdReadBuf = 4096

// holder keeps one slot's connection open and sends its sparse requests.
type holder struct {
	r      *run
	slot   *slot
	order  []int
	next   int
	parser wire.Parser
	one    [1]byte // what an idle Read reads into: nothing should come
	timer  *time.Timer

	inFlightAtEnd bool // a request was on the wire when the run stopped
}

func newHolder(r *run, s *slot, order []int) *holder {
	h := &holder{r: r, slot: s, order: order, next: s.id % len(order)}
	h.parser.SetMaxHeaderBytes(r.plan.MaxHeaderBytesOrDefault())
	return h
}

// loop connects when the slot's connect is due, then holds the connection
// and replaces it whenever it ends, until the run stops.
func (h *holder) loop() {
	r := h.r
	if r.plan.ConnectRate > 0 {
		sched := engine.NewSchedule(r.plan.ConnectRate, nil)
		due, _ := sched.Due(int64(h.slot.id))
		if !r.waitUntil(&h.timer, due) {
			return
		}
	}
	for first := true; !r.stop.Load(); first = false {
		// After a failed connect (counted by the dialer), or a connection
		// that ended before it was answered or held a while, the backoff
		// (engine.Retry): a server that closes every connection gets no
		// connect storm.
		if _, ok := h.slot.awaitConnect(&h.timer); !ok {
			return
		}
		// A replacement takes the next free connect slot (none without a
		// connect rate): the rate bounds every connect.
		if !first && !r.waitUntil(&h.timer, r.replace.Reserve(r.clock.Now())) {
			return
		}
		conn, err := h.slot.dial("")
		if err != nil {
			continue
		}
		more := h.hold(conn, r.clock.Now())
		_ = conn.Close() // ended, dropped or stopped: its close error tells nothing new
		if !more {
			return
		}
	}
}

// hold keeps conn, connected at connNs, until it ends; it reports false
// when the holder must end (the run stopped, or the budget is spent in a
// run that ends by its count).
func (h *holder) hold(conn net.Conn, connNs int64) bool {
	r := h.r
	every := int64(r.plan.HoldEvery)
	dueNs := connNs + every
	h.parser.Reset()
	recheck := false // a look at the socket when a request came due found something: read it first
	for {
		if every > 0 && r.pastPlannedEnd(dueNs) {
			every = 0 // the next tick falls after the end: hold on, silent, until the stop
		}
		var deadline time.Time
		switch {
		case recheck:
			deadline = time.Now().Add(idleRead)
		case every > 0:
			deadline = r.clock.Start().Add(time.Duration(dueNs))
		}
		if err := conn.SetReadDeadline(deadline); err != nil {
			return !r.stop.Load() // closed under us: by the stopper, or dropped
		}
		n, err := conn.Read(h.one[:])
		switch {
		case r.stop.Load():
			return false
		case !isTimeout(err) && r.pastPlannedEnd(r.clock.Now()):
			// Bytes or a close read after the end: not counted, as in
			// every mode; the stop closes the connection.
			<-r.stopCh
			return false
		case n > 0:
			h.record(stats.ErrBadResponse) // bytes nobody asked for
			return true
		case isTimeout(err) && !recheck && h.slot.pending():
			// The request is due. Go reports a passed deadline without
			// reading when the goroutine runs after it (on a loaded
			// machine, milliseconds after): a close, or bytes, that came
			// before the tick would still be unread, and the request
			// written into them would fail. So the socket is looked at
			// once, without waiting, as the reactor handles a turn's
			// events before its timers and sync polls it at least once:
			// what is there is read first.
			recheck = true
		case isTimeout(err) && every == 0:
			recheck = false // the look found a TLS record that carries no HTTP
		case isTimeout(err):
			recheck = false
			if !r.budget.Take(dueNs < r.warmupNs) {
				if r.plan.DurationOrDefault() == 0 {
					return false // the run ends when its requests are spent
				}
				every = 0 // hold on, silent, until the end
				continue
			}
			if !h.request(conn, dueNs) {
				if h.inFlightAtEnd {
					// Answered after the end, or cut by the stop: the run
					// is over, and the stop closes this connection.
					<-r.stopCh
					return false
				}
				return !r.stop.Load()
			}
			dueNs = h.skipMissed(dueNs, every)
		case errors.Is(err, io.EOF) || engine.IsReset(err):
			h.recordClosed() // the server dropped the idle connection
			return true
		default:
			h.record(engine.IOKind(err, false))
			return true
		}
	}
}

// skipMissed returns the tick after dueNs that is still ahead, counting
// the ticks that came due while the request was in flight as Dropped, as
// the other modes do: one request at a time per held connection.
func (h *holder) skipMissed(dueNs, every int64) int64 {
	dueNs += every
	now := h.r.clock.Now()
	if dueNs > now {
		return dueNs
	}
	missed := (now-dueNs)/every + 1
	counted := missed
	if end := h.r.plan.EndNs(); end > 0 {
		// Ticks due at or after the end are not the run's to send: a
		// response read just before the end can be seen after it.
		counted = min(missed, max(0, (end-dueNs+every-1)/every))
	}
	rec := h.slot.g.Lock(now)
	rec.Dropped += uint64(counted)
	h.slot.g.Unlock()
	return dueNs + missed*every
}

// request sends the next plan request, due at dueNs, on conn and reads
// its response; it reports whether the connection may carry another.
func (h *holder) request(conn net.Conn, dueNs int64) bool {
	r := h.r
	req := &r.plan.Requests[h.order[h.next]]
	if h.next++; h.next == len(h.order) {
		h.next = 0
	}
	writeNs := r.clock.Now()
	if err := conn.SetDeadline(r.clock.Start().Add(time.Duration(writeNs) + r.timeout)); err != nil {
		return false
	}
	_, err := conn.Write(req.Raw)
	if err != nil {
		if r.stop.Load() {
			return false
		}
		h.recordSent(dueNs, writeNs, stats.ErrWrite, 0)
		return false
	}
	bp := r.bufs.Get().(*[]byte)
	defer r.bufs.Put(bp)
	status, keep, err := h.readResponse(conn, *bp, req.Head(), r.plan.MaxHeaderBytesOrDefault())
	if r.stopped() || r.pastPlannedEnd(r.clock.Now()) {
		// Stopped, interrupted, or answered after the end: in flight, as
		// in every mode, whatever the outcome.
		h.inFlightAtEnd = true
		h.recordSent(dueNs, writeNs, stats.NumErrorKinds, 0)
		return false
	}
	kind := stats.NumErrorKinds // none
	if err != nil {
		kind = responseKind(err)
	}
	h.recordSent(dueNs, writeNs, kind, status)
	if err == nil {
		h.slot.markAnswered()
		switch {
		case !h.parser.KeepAlive():
			h.recordClosed() // the server ends the connection after its response
		case !keep:
			h.record(stats.ErrBadResponse) // bytes after the response: nobody asked for them
		}
	}
	return err == nil && keep
}

// readResponse reads one response into buf with the wire parser and
// returns its status and whether the connection stays open. When a
// partial line fills buf, it goes on in a buffer of maxHeader more bytes.
func (h *holder) readResponse(conn net.Conn, buf []byte, head bool, maxHeader int) (int, bool, error) {
	p := &h.parser
	kept := 0
	for {
		if kept == len(buf) { // rare: a header line longer than buf
			buf = append(buf, make([]byte, maxHeader)...)
		}
		n, err := conn.Read(buf[kept:])
		if n > 0 {
			data := buf[:kept+n]
			used, done, perr := p.Parse(data, head)
			if perr != nil {
				return 0, false, perr
			}
			if done {
				// Bytes after the response were not asked for.
				return p.Status(), p.KeepAlive() && used == len(data), nil
			}
			kept = copy(buf, data[used:])
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return 0, false, err
			}
			done, eerr := p.EOF()
			if done {
				return p.Status(), false, nil // a body delimited by the close
			}
			if eerr == nil {
				eerr = wire.ErrIncomplete // closed before the response began
			}
			return 0, false, eerr
		}
	}
}

// recordSent records one request written at writeNs for dueNs, with its
// failure kind or, when kind is NumErrorKinds and status > 0, its
// response.
func (h *holder) recordSent(dueNs, writeNs int64, kind stats.ErrorKind, status int) {
	now := h.r.clock.Now()
	rec := h.slot.g.Lock(now)
	warm := dueNs < h.r.warmupNs && !h.slot.g.Warm()
	h.slot.drainExchange(rec, warm, h.inFlightAtEnd)
	if warm {
		// The warm-up's request, whose outcome came after it: the
		// warm-up's too.
		rec.RecordWarmupSent(1, 0)
		switch {
		case kind < stats.NumErrorKinds:
			rec.RecordWarmupError(kind)
		case status > 0:
			rec.RecordWarmupResponse(status)
		}
		h.slot.g.Unlock()
		return
	}
	rec.RecordSent(1, 0)
	rec.RecordSendLag(writeNs - dueNs)
	switch {
	case kind < stats.NumErrorKinds:
		rec.RecordError(kind)
	case status > 0:
		rec.RecordResponse(status, now-dueNs, now-writeNs)
	}
	h.slot.g.Unlock()
}

// record counts a failure of the held connection itself.
func (h *holder) record(kind stats.ErrorKind) {
	rec := h.slot.g.Lock(h.r.clock.Now())
	h.slot.drain(rec)
	rec.RecordError(kind)
	h.slot.g.Unlock()
}

// recordClosed counts the held connection as closed by the server.
func (h *holder) recordClosed() {
	rec := h.slot.g.Lock(h.r.clock.Now())
	h.slot.drain(rec)
	rec.ServerClosed++
	h.slot.g.Unlock()
}

// isTimeout reports whether err is a passed deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// responseKind classifies a failed sparse request after its write.
func responseKind(err error) stats.ErrorKind {
	switch {
	case isTimeout(err):
		return stats.ErrTimeout
	case errors.Is(err, wire.ErrHeaderTooLarge):
		return stats.ErrHeaderTooLarge
	case errors.Is(err, wire.ErrBadResponse):
		return stats.ErrBadResponse
	case engine.IsReset(err):
		return stats.ErrReset
	}
	return stats.ErrRead
}
