package goroutine

import (
	"cmp"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/stats"
)

// worker is one goroutine sending requests one after another: one per
// connection, or one per request in flight on a pipelined connection. It
// records into its slot's recorder group, with the slot's bytes.
type worker struct {
	r     *run
	slot  *slot
	reqs  []*fasthttp.Request // HostClient: one per plan request, built once
	resp  fasthttp.Response
	call  pipeCall // pipelined slot: this worker's request on the pipeline
	order []int
	next  int
	timer *time.Timer // waits for the next due time (open model) or the end of a backoff

	// unsent says the last request once tried never went out: its
	// connect failed. The closed model gives its ticket back to the
	// budget.
	unsent bool

	inFlightAtEnd int // set when the worker ends
}

func newWorker(r *run, s *slot, order []int, seq int) *worker {
	w := &worker{r: r, slot: s, order: order, next: seq % len(order)}
	w.call = pipeCall{resp: &w.resp, done: make(chan error, 1)}
	if s.host != nil {
		for i := range r.plan.Requests {
			w.reqs = append(w.reqs, buildRequest(r.plan.Scheme, &r.plan.Requests[i]))
		}
	}
	return w
}

// buildRequest turns a plan request into a fasthttp request, once, that
// HostClient writes as the plan's Raw bytes (wire.EncodeRequest), as the
// other modes do: fasthttp's special headers are off, so it adds none of
// its own (no default Content-Type, no Host of the URL's over the user's)
// and writes wire.RequestHeaders as given, in order and case.
func buildRequest(scheme string, pr *engine.Request) *fasthttp.Request {
	req := &fasthttp.Request{}
	req.Header.DisableNormalizing()
	req.Header.DisableSpecialHeader()
	req.UseHostHeader = true
	req.SetRequestURI(scheme + "://" + pr.Host + cmp.Or(pr.URI, "/"))
	req.Header.SetMethod(pr.Method)
	hs := make([]wire.Header, len(pr.Headers))
	for i, h := range pr.Headers {
		hs[i] = wire.Header(h)
	}
	for _, h := range wire.RequestHeaders(pr.Method, pr.Host, hs, pr.Body) {
		req.Header.Add(h.Name, h.Value)
	}
	if len(pr.Body) > 0 {
		req.SetBody(pr.Body)
	}
	return req
}

// loop runs the worker in the plan's model until the run stops or there
// is nothing left to send.
func (w *worker) loop() {
	if w.r.tickets != nil {
		w.openLoop()
		return
	}
	w.closedLoop()
}

// closedLoop sends requests back to back until the run stops or the
// budget is spent. In the closed model a request is due when the response
// before it completed, so one clock reading ends one latency and starts
// the next. With stages, the worker sends only while its slot is active.
//
// A request whose connect failed goes back to the budget at once, for a
// worker that can send it, while this one backs off (slot.awaitConnect);
// a worker that finds the budget empty while others hold requests waits
// for one to come back (engine.Budget.Wait), and ends when the budget is
// spent. So -n N sends N requests, however many connects fail on the way
// and whichever connections they fail on, unless the run gives up
// (engine.ConnTally.GivesUp), and ends as soon as the N are answered.
func (w *worker) closedLoop() {
	r := w.r
	now := r.clock.Now()
	for !r.stopped() {
		if !w.slot.active.Load() {
			if !w.slot.awaitActive() {
				return
			}
			now = r.clock.Now()
		}
		if waited, ok := w.slot.awaitConnect(&w.timer); !ok {
			return
		} else if waited {
			now = r.clock.Now()
		}
		warmup := now < r.warmupNs
		if !r.budget.Take(warmup) {
			if !r.budget.Wait(r.stopCh) {
				return
			}
			now = r.clock.Now()
			continue // the slot may have changed meanwhile: look again, then take
		}
		var ok bool
		now, ok = w.once(now, now)
		if w.unsent {
			r.budget.GiveBack(warmup)
		} else {
			r.budget.Sent(warmup)
		}
		if !ok {
			return
		}
	}
}

// once sends one request due at dueNs, written from writeNs on, and
// records its outcome. It returns the time the outcome was known, and
// false when the worker must end. After a failed connect the backoff is
// the caller's to wait (slot.awaitConnect).
func (w *worker) once(dueNs, writeNs int64) (int64, bool) {
	r := w.r
	idx := w.order[w.next]
	if w.next++; w.next == len(w.order) {
		w.next = 0
	}
	err := w.do(idx)
	for errors.Is(err, errResend) {
		// A Connection: close response before it: the server never saw
		// this request, so it goes again, on the next connection, with
		// its latency still counted from when it was due.
		rec := w.slot.g.Lock(r.clock.Now())
		if w.lateWarm(dueNs) {
			rec.Warmup.Resent++
		} else {
			rec.Resent++
		}
		w.slot.g.Unlock()
		writeNs = r.clock.Now()
		err = w.do(idx)
	}
	now := r.clock.Now()
	dialFailed := err != nil && (isDialError(err) || errors.Is(err, errStopped))
	w.unsent = dialFailed
	stopped := err != nil && r.stop.Load()
	// An outcome after the planned end, the stop or an interrupt is not
	// counted, whatever it is: the request stays in flight, as in every
	// mode. (The stop closes the connection under the request, so an
	// outcome known after it is mostly that error, but a response may
	// have come in between.)
	late := !dialFailed && (r.pastPlannedEnd(now) || r.stopped())
	// A request whose write the stop cut short was not sent: the socket
	// never took it whole.
	cutShort := late && err != nil && w.notWritten(err)

	rec := w.slot.g.Lock(now)
	// A request of the warm-up (due in it) whose outcome comes after it
	// is the warm-up's, and so is its outcome.
	warm := w.lateWarm(dueNs)
	w.drain(rec, warm && !dialFailed, late)
	switch {
	case cutShort:
		if r.tickets != nil {
			rec.Dropped++ // taken, so due before the end, and never sent
		}
	case late:
		recordSent(rec, warm)
		w.inFlightAtEnd = 1
	case err == nil && warm:
		rec.RecordWarmupSent(1, 0)
		rec.RecordWarmupResponse(w.resp.StatusCode())
		w.slot.markAnswered()
	case err == nil:
		rec.RecordSent(1, 0)
		rec.RecordResponse(w.resp.StatusCode(), now-dueNs, now-writeNs)
		w.slot.markAnswered()
	case dialFailed:
		// The connect failure is counted by the dialer; an open-model
		// request that never went out is dropped, also when the stop cut
		// its dial short, if it was due before the end.
		if r.tickets != nil && (!stopped || dueNs < r.endNs.Load()) {
			rec.Dropped++
		}
	case warm:
		rec.RecordWarmupSent(1, 0)
		rec.RecordWarmupError(requestKind(err))
	default:
		rec.RecordSent(1, 0)
		rec.RecordError(requestKind(err))
	}
	if r.tickets != nil && !dialFailed && !cutShort && !warm {
		rec.RecordSendLag(writeNs - dueNs)
	}
	w.slot.g.Unlock()

	return now, !late
}

// drain moves the slot's bytes into rec, those of this worker's exchange
// where its outcome is counted (slot.drainExchange): on a pipeline, whose
// workers share the slot's bytes, its response's size (pipeCall.size).
func (w *worker) drain(rec *stats.Recorder, warm, late bool) {
	if w.slot.pipe == nil {
		w.slot.drainExchange(rec, warm, late)
		return
	}
	w.slot.drain(rec)
	switch {
	case late:
		rec.UnrecordReceived(w.call.size)
	case warm:
		rec.MoveReceivedToWarmup(w.call.size)
	}
}

// lateWarm reports whether a request due at dueNs is the warm-up's while
// the slot's group has left the warm-up: what happens to it now counts in
// the warm-up's counts. The caller holds the group's lock.
func (w *worker) lateWarm(dueNs int64) bool {
	return dueNs < w.r.warmupNs && !w.slot.g.Warm()
}

// recordSent counts one request sent, in the warm-up's counts when warm
// (see lateWarm).
func recordSent(rec *stats.Recorder, warm bool) {
	if warm {
		rec.RecordWarmupSent(1, 0)
		return
	}
	rec.RecordSent(1, 0)
}

// isDialError reports whether err comes from the dialer. It is apart
// from once because errors.As makes its target escape: here only a
// failed request pays that allocation.
func isDialError(err error) bool {
	var de *dialError
	return errors.As(err, &de)
}

// notWritten reports whether the request that ended with err never went
// out whole: on a pipeline its own write failed (pipeCall.writeErr);
// through fasthttp's client, err is the failed write's (a read's is not
// a write's). It is apart from once, as isDialError is.
func (w *worker) notWritten(err error) bool {
	if w.slot.pipe != nil {
		return w.call.writeErr != nil
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "write"
}

// do sends the plan's request idx and reads its response into w.resp.
func (w *worker) do(idx int) error {
	if w.slot.host != nil {
		return w.slot.host.DoTimeout(w.reqs[idx], &w.resp, w.r.timeout)
	}
	pr := &w.r.plan.Requests[idx]
	w.call.head = pr.Head()
	return w.slot.pipe.roundTrip(&w.call, pr.Raw, w.r.timeout)
}

// requestKind classifies a failed request on an open connection.
func requestKind(err error) stats.ErrorKind {
	var (
		small *fasthttp.ErrSmallBuffer
		op    *net.OpError
		ne    net.Error
	)
	switch {
	case errors.Is(err, wire.ErrTLSRecord):
		return stats.ErrBadResponse // the server answered with TLS (countingConn.sniff)
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return stats.ErrTimeout
	case engine.IsReset(err):
		return stats.ErrReset
	case errors.As(err, &small), errors.Is(err, fasthttp.ErrSmallReadBuffer):
		return stats.ErrHeaderTooLarge
	case errors.Is(err, fasthttp.ErrConnectionClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed):
		return stats.ErrRead
	case errors.As(err, &op) && op.Op == "write":
		return stats.ErrWrite
	case errors.As(err, &op):
		return stats.ErrRead
	}
	return stats.ErrBadResponse
}
