package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/engine/wire"
)

// unsentCell is a run against a server that reads nothing, whose socket
// buffers fill long before the run ends.
type unsentCell struct {
	name     string
	bodySize int
	plan     func(p *engine.Plan)
}

var unsentCells = []unsentCell{
	{
		// 256 requests of 64 KiB in flight: 16 MiB, far more than the
		// socket buffers hold. Committed in the first second, taken back
		// as the run ends in the second.
		name: "closed_pipelined", bodySize: 64 << 10,
		plan: func(p *engine.Plan) { p.Pipeline, p.Duration = 256, 1500*time.Millisecond },
	},
	{
		// One request larger than the socket buffers: never all written
		// (fasthttp's client in goroutine mode).
		name: "closed_large_body", bodySize: 16 << 20,
	},
	{
		name: "open_pipelined", bodySize: 64 << 10,
		plan: func(p *engine.Plan) {
			p.Pipeline, p.Model, p.RatePerSec = 256, engine.ModelOpen, 1000
		},
	},
	{
		// One request due, never written whole, and then all the others
		// due while the connection is busy with it: all dropped.
		name: "open_large_body", bodySize: 16 << 20,
		plan: func(p *engine.Plan) { p.Model, p.RatePerSec = engine.ModelOpen, 100 },
	},
	{
		// The requests are committed in the warm-up and still not written
		// when the run ends: taken from the part of the run that counted
		// them.
		name: "closed_warmup", bodySize: 64 << 10,
		plan: func(p *engine.Plan) {
			p.Pipeline, p.Warmup, p.Duration = 256, 300*time.Millisecond, 700*time.Millisecond
		},
	},
}

// TestUnsentRequestsAreNotCounted: a request counts as sent (summary.json
// "requests") when the socket has taken all its bytes. Against a server
// that reads nothing, the socket buffers fill and the run ends with
// requests queued, or half written: in every mode those are not counted,
// so that on one connection the requests counted are the whole requests
// the bytes out hold (requests = floor(bytes_out / size)), and the
// accounting holds: requests = responses + failures + in flight, the
// intervals add up to the totals (none below zero), and in the open model
// requests + dropped = the requests due, and no request not sent has a
// send lag.
func TestUnsentRequestsAreNotCounted(t *testing.T) {
	for _, m := range modes {
		for _, c := range unsentCells {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				ln := silentListener(t)
				addr := ln.Addr().String()
				p := unsentPlan(addr, c.bodySize)
				if c.plan != nil {
					c.plan(p)
				}
				size := uint64(len(p.Requests[0].Raw))
				res := execute(t, context.Background(), m, p)
				w := &res.WarmupCounters
				requests, bytesOut := w.Requests+res.Requests, w.BytesOut+res.BytesOut
				t.Logf("requests %d (warm-up %d), bytes out %d (%.2f requests of %d), in flight %d, dropped %d, errors %v",
					requests, w.Requests, bytesOut, float64(bytesOut)/float64(size), size, res.InFlightAtEnd, res.Dropped, res.Errors)
				if res.Connects != 1 || res.Responses != 0 || res.ErrorTotal() != 0 || bytesOut == 0 {
					t.Fatalf("connects %d, responses %d, errors %v, bytes out %d; want one connection, sending and never answered",
						res.Connects, res.Responses, res.Errors, bytesOut)
				}
				if requests != bytesOut/size {
					t.Errorf("requests %d, but the %d bytes out hold %d whole requests of %d bytes: a request the socket did not take whole was counted",
						requests, bytesOut, bytesOut/size, size)
				}
				if res.Requests != res.Responses+res.RequestErrors()+res.InFlightAtEnd {
					t.Errorf("requests %d != responses %d + failures %d + in flight %d",
						res.Requests, res.Responses, res.RequestErrors(), res.InFlightAtEnd)
				}
				checkSums(t, res)
				for i := range res.Intervals {
					if n := res.Intervals[i].Requests; n > res.Requests {
						t.Errorf("interval %d counts %d requests, more than the run's %d", i, n, res.Requests)
					}
				}
				if p.Model == engine.ModelOpen {
					sched := engine.NewSchedule(p.RatePerSec, p.Stages)
					due := uint64(engine.FirstAt(&sched, int64(p.Duration)))
					if res.Requests+res.Dropped != due {
						t.Errorf("requests %d + dropped %d = %d, want the %d due", res.Requests, res.Dropped, res.Requests+res.Dropped, due)
					}
					if lags := uint64(res.SendLag.TotalCount()); lags > res.Requests {
						t.Errorf("%d send lags for %d requests sent: a request never sent has no send lag", lags, res.Requests)
					}
				}
			})
		}
	}
}

// TestUnsentRequestsAreNotCountedTLS: the same over https, against a
// server that completes the handshake and then reads nothing. The bytes
// out are TLS records, the handshake's too, so the count is bounded
// rather than exact: the requests counted fit in the bytes out, and they
// are all but at most two of the whole requests those hold (one written
// in part; one whose record went out in part, which the reactor does not
// count), once the handshake and the records' overhead are set aside.
func TestUnsentRequestsAreNotCountedTLS(t *testing.T) {
	const slack = 32 << 10 // the handshake and the records' overhead, with room
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cert, cfg := testCert()
			raw, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			stop := serveEach(t, tls.NewListener(raw, cfg), func(c net.Conn) {
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil {
					<-done // and never read
				}
			})
			defer stop()
			defer close(done)
			p := unsentPlan(raw.Addr().String(), 64<<10)
			p.Scheme, p.Target = "https", "https://"+raw.Addr().String()+"/"
			p.RootCAs = x509.NewCertPool()
			p.RootCAs.AddCert(cert)
			p.Pipeline = 256
			size := uint64(len(p.Requests[0].Raw))
			res := execute(t, context.Background(), m, p)
			t.Logf("requests %d, bytes out %d (%.2f requests of %d), in flight %d, errors %v",
				res.Requests, res.BytesOut, float64(res.BytesOut)/float64(size), size, res.InFlightAtEnd, res.Errors)
			if res.Connects != 1 || res.Responses != 0 || res.ErrorTotal() != 0 {
				t.Fatalf("connects %d, responses %d, errors %v; want one connection, never answered", res.Connects, res.Responses, res.Errors)
			}
			if res.Requests*size > res.BytesOut || (res.Requests+2)*size+slack < res.BytesOut {
				t.Errorf("requests %d of %d bytes for %d bytes out: want the whole requests those hold, but for at most two",
					res.Requests, size, res.BytesOut)
			}
			if res.Requests != res.InFlightAtEnd {
				t.Errorf("requests %d, in flight %d: want every one counted in flight", res.Requests, res.InFlightAtEnd)
			}
			checkSums(t, res)
		})
	}
}

// unsentPlan is a 1 s plan of POSTs with a body of size bytes on one
// connection to addr, with a request timeout well beyond the run.
func unsentPlan(addr string, size int) *engine.Plan {
	p := enginetest.Plan(addr)
	p.Connections, p.Duration, p.Timeout = 1, time.Second, 10*time.Second
	body := bytes.Repeat([]byte("x"), size)
	r := &p.Requests[0]
	r.Method, r.Body = "POST", body
	r.Raw = wire.EncodeRequest("POST", "/", addr, nil, body)
	return p
}
