package goroutine

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/internal/testchild"
	"github.com/nowait/nowait/stats"
)

// Environment of the hold measurement: NOWAIT_MEASURE_HOLD lists the
// connection counts to measure (such as "1000,5000"); the helper server
// runs in a child process when NOWAIT_HOLD_SERVER is set, so that its
// memory is not the generator's.
const (
	envMeasure = "NOWAIT_MEASURE_HOLD"
	envServer  = "NOWAIT_HOLD_SERVER"
)

// TestHelperHoldServer is the child process of TestMeasureHold: it listens
// on 127.0.0.1, prints its address, and accepts and holds every connection
// (no goroutine per connection) until its stdin closes.
func TestHelperHoldServer(t *testing.T) {
	if !testchild.Enabled(envServer) {
		t.Skip("the child process of TestMeasureHold")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(ln.Addr().String())
	go func() { // ends the process's accepting when the parent goes
		_, _ = io.Copy(io.Discard, os.Stdin)
		ln.Close()
	}()
	var held []net.Conn
	for {
		c, err := ln.Accept()
		if err != nil {
			break
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Close()
	}
}

// TestMeasureHold measures what holding connections costs in goroutine
// mode: RSS added per connection once all are established, goroutines,
// threads, and connect times. Run it with, for example:
//
//	NOWAIT_MEASURE_HOLD=1000,5000 go test -run MeasureHold -v ./engine/goroutine/
//
// and NOWAIT_MEASURE_HOLD_RATE=2000 to connect at 2000 per second.
func TestMeasureHold(t *testing.T) {
	list := os.Getenv(envMeasure)
	if list == "" {
		t.Skip("set " + envMeasure + "=1000,5000 to measure")
	}
	for _, f := range strings.Split(list, ",") {
		conns, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(f, func(t *testing.T) { measureHold(t, conns) }) // each with its own child
	}
}

func measureHold(t *testing.T, conns int) {
	_, out := testchild.Start(t, "TestHelperHoldServer", envServer, 5*time.Minute)
	addr := testchild.Line(t, out, "")
	p := holdPlan(t, addr, conns, time.Minute)
	p.Live = &stats.Live{}
	if v := os.Getenv(envMeasure + "_RATE"); v != "" { // connects per second
		var err error
		if p.ConnectRate, err = strconv.ParseFloat(v, 64); err != nil {
			t.Fatal(err)
		}
	}

	runtime.GC()
	rss0, g0, th0 := stats.RSSBytes(), runtime.NumGoroutine(), stats.ThreadCount()
	stack0, heap0 := memClasses()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *stats.Result, 1)
	go func() {
		res, err := engine.Execute(ctx, New(), p)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	deadline := time.Now().Add(30 * time.Second)
	for p.Live.Read().OpenConns < int64(conns) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let the last dials' stacks settle
	rss1, g1, th1 := stats.RSSBytes(), runtime.NumGoroutine(), stats.ThreadCount()
	stack1, heap1 := memClasses()
	open := p.Live.Read().OpenConns
	cancel()
	res := <-done
	t.Logf("hold %d at %g/s: open %d, established in %s; RSS %.1f -> %.1f MB = %.0f B/conn; goroutines %d -> %d; threads %d -> %d; connect p50 %.2f ms p99 %.2f ms; generator peak RSS %.1f MB, errors %v",
		conns, p.ConnectRate, open, res.EstablishedIn, float64(rss0)/1e6, float64(rss1)/1e6, float64(rss1-rss0)/float64(conns),
		g0, g1, th0, th1, float64(res.Connect.ValueAtQuantile(50))/1e3, float64(res.Connect.ValueAtQuantile(99))/1e3,
		float64(res.Generator.PeakRSSBytes)/1e6, res.Errors)
	t.Logf("hold %d: per conn: goroutine stacks %.0f B, heap objects %.0f B", conns,
		float64(stack1-stack0)/float64(conns), float64(heap1-heap0)/float64(conns))
	if open != int64(conns) {
		t.Fatalf("only %d of %d connections open", open, conns)
	}
}

// memClasses returns the bytes of goroutine stacks and of live heap
// objects (runtime/metrics).
func memClasses() (stack, heap uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}
