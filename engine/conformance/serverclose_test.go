package conformance

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// Held connections that the server closes while no request is in flight
// are counted as closed by the server (Result.ServerClosed) and not as
// errors, in every mode, and reconnected.

// TestHoldServerCloses: the server closes the first 8 connections of a
// hold of 4 on its own, idle (by a FIN or a reset, 50 ms after the
// accept) or after their first response (a keep-alive one, or one that
// says Connection: close), and keeps the 4 after them. Every mode counts
// exactly the 8 closes the server made as closed by the server, no error
// (a sync or goroutine mode that counts a read error or a reset for one
// fails), and holds the 4 kept connections to the end, each close
// reconnected.
func TestHoldServerCloses(t *testing.T) {
	const conns, closing, every = 4, 8, 200 * time.Millisecond
	cases := []struct {
		name  string
		rule  closeRule
		every time.Duration
		https bool
	}{
		{name: "idle_fin", rule: closeRule{idle: 50 * time.Millisecond}},
		{name: "idle_reset", rule: closeRule{idle: 50 * time.Millisecond, reset: true}},
		// --every: requests 200 ms apart; the server closes a closing
		// connection 20 ms after answering its first request, idle, 180
		// ms before the next request is due (room for a loaded machine's
		// late wake-ups on either side); after a Connection: close, at
		// once.
		{name: "every_fin", rule: closeRule{answer: true, idle: 20 * time.Millisecond}, every: every},
		{name: "every_reset", rule: closeRule{answer: true, idle: 20 * time.Millisecond, reset: true}, every: every},
		{name: "every_connection_close", rule: closeRule{answer: true, connClose: true}, every: every},
		{name: "every_fin_https", rule: closeRule{answer: true, idle: 20 * time.Millisecond}, every: every, https: true},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := &closer{closeRule: tc.rule}
				srv.first = closing
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				p := enginetest.Plan(addr)
				if tc.https {
					cert, cfg := testCert()
					ln = tls.NewListener(ln, cfg)
					p = httpsPlan(addr, cert)
				}
				stop := serveEach(t, ln, srv.serve)
				p.Model, p.Connections, p.HoldEvery, p.Duration = engine.ModelHold, conns, tc.every, 600*time.Millisecond
				if tc.every > 0 {
					p.Duration = 1200 * time.Millisecond // the kept connections' requests at about 0.6, 0.8 and 1 s
				}
				res := execute(t, context.Background(), m, p)
				stop() // every serve has returned: the server's counts are final
				t.Logf("server: accepted %d, closed %d, served %d; client: connects %d, server closed %d, open at end %d, responses %d, errors %v",
					srv.accepted.Load(), srv.closed.Load(), srv.served.Load(), res.Connects, res.ServerClosed, res.OpenConnsAtEnd, res.Responses, res.Errors)
				if got := srv.closed.Load(); got != closing {
					t.Fatalf("the server closed %d connections, want %d: the run did not reconnect them", got, closing)
				}
				if res.ServerClosed != closing || res.ErrorTotal() != 0 {
					t.Errorf("closed by the server %d, errors %v; want the %d closes the server made, and no error",
						res.ServerClosed, res.Errors, closing)
				}
				if res.Connects != conns+closing || res.OpenConnsAtEnd != conns || srv.accepted.Load() != conns+closing {
					t.Errorf("connects %d, accepted %d, open at the end %d; want %d, %d and %d: each close reconnected, the kept ones held",
						res.Connects, srv.accepted.Load(), res.OpenConnsAtEnd, conns+closing, conns+closing, conns)
				}
				if tc.every > 0 && (res.Responses == 0 || uint64(srv.served.Load()) < res.Responses ||
					uint64(srv.served.Load()) > res.Responses+res.InFlightAtEnd || res.Requests != res.Responses+res.InFlightAtEnd) {
					t.Errorf("served %d, responses %d, requests %d, in flight at the end %d; want every request answered or in flight",
						srv.served.Load(), res.Responses, res.Requests, res.InFlightAtEnd)
				}
				checkSums(t, res)
			})
		}
	}
}
