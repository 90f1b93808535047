package goroutine

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
)

// TestIdleLook: the look at a slot's idle socket, before a request that
// waited for its due time (slot.pending), sees nothing on a quiet
// connection, allocates nothing (it runs for every such request), and
// sees the server's close once it came, without reading it: the read
// that follows still gets the end of the file.
func TestIdleLook(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the look is Linux's (peek_linux.go)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() { // owned by the test: ends with the one accept
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	p := enginetest.Plan(ln.Addr().String())
	p.Connections, p.Model = 1, engine.ModelHold
	r := newRun(context.Background(), New(), p)
	r.dialCtx, r.clock = context.Background(), engine.NewClock()
	s := newSlot(r, 0, engine.NewRecorderGroup(0, 0, nil))
	conn, err := s.dial("")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	peer := <-accepted
	if peer == nil {
		t.Fatal("no connection accepted")
	}
	if s.pending() {
		t.Fatal("the look saw something on a connection nobody wrote on")
	}
	if a := testing.AllocsPerRun(100, func() { _ = s.pending() }); a != 0 {
		t.Errorf("a look allocates %v times, want 0", a)
	}
	peer.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !s.pending() {
		if time.Now().After(deadline) {
			t.Fatal("the look never saw the server's close")
		}
		time.Sleep(time.Millisecond)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("read after the look: %d bytes, %v; want the end of the file, left unread by the look", n, err)
	}
}

// BenchmarkIdleLook measures the look at an idle socket that goes before
// a request which waited for its due time (open model, hold's requests):
// one recvfrom(MSG_PEEK|MSG_DONTWAIT).
func BenchmarkIdleLook(b *testing.B) {
	addr := enginetest.CannedServer(b)
	p := enginetest.Plan(addr)
	p.Connections, p.Model = 1, engine.ModelHold
	r := newRun(context.Background(), New(), p)
	r.dialCtx, r.clock = context.Background(), engine.NewClock()
	s := newSlot(r, 0, engine.NewRecorderGroup(0, 0, nil))
	conn, err := s.dial("")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	b.ReportAllocs()
	for b.Loop() {
		if s.pending() {
			b.Fatal("something came on a connection nobody wrote on")
		}
	}
}
