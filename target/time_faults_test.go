package target

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestWindowLeft(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct{ elapsed, every, length, want time.Duration }{
		{0, 0, 0, 0},
		{500 * ms, 0, 0, 0},
		{100 * ms, 1000 * ms, 300 * ms, 0}, // first period runs normally
		{999 * ms, 1000 * ms, 300 * ms, 0}, // just before the first window
		{1000 * ms, 1000 * ms, 300 * ms, 300 * ms},
		{1100 * ms, 1000 * ms, 300 * ms, 200 * ms},
		{1299 * ms, 1000 * ms, 300 * ms, 1 * ms},
		{1300 * ms, 1000 * ms, 300 * ms, 0}, // the window is half-open
		{2050 * ms, 1000 * ms, 300 * ms, 250 * ms},
	} {
		if got := windowLeft(tc.elapsed, tc.every, tc.length); got != tc.want {
			t.Errorf("windowLeft(%s, %s, %s) = %s; want %s", tc.elapsed, tc.every, tc.length, got, tc.want)
		}
	}
}

// get sends one request on c and returns when the whole response is in.
func get(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		t.Fatal(err)
	}
	if data, _, err := readResponse(c); err != nil || statusOf(data) != 200 {
		t.Fatalf("got %q, %v; want a 200", data, err)
	}
}

func TestStall(t *testing.T) {
	const stall, every = 200 * time.Millisecond, 500 * time.Millisecond
	s := start(t, Config{Stall: stall, StallEvery: every})
	c := dial(t, s, 3*time.Second)

	time.Sleep(time.Until(s.start.Add(100 * time.Millisecond)))
	t0 := time.Now()
	get(t, c)
	if el := time.Since(t0); el > stall/2 {
		t.Fatalf("request before the first stall took %s", el)
	}

	// Halfway into the first stall: the response waits for its end.
	time.Sleep(time.Until(s.start.Add(every + stall/2)))
	t0 = time.Now()
	left := windowLeft(t0.Sub(s.start), every, stall)
	get(t, c)
	el := time.Since(t0)
	if end := s.start.Add(every + stall); time.Now().Before(end) || el < left {
		t.Fatalf("request in the stall took %s, %s left of it; want the stall's end", el, left)
	}
	if el > left+stall/2 {
		t.Fatalf("request in the stall took %s, only %s left of it", el, left)
	}
	if st := s.Stats(); st.Stalled != 1 || st.Served != 2 {
		t.Fatalf("stalled %d, served %d; want 1 and 2", st.Stalled, st.Served)
	}
}

func TestRefuse(t *testing.T) {
	const refuse, every = 300 * time.Millisecond, time.Second
	s := start(t, Config{Refuse: refuse, RefuseEvery: every})
	kept := dial(t, s, 3*time.Second)
	get(t, kept)

	// During the refusal: dials fail, an open connection keeps working.
	time.Sleep(time.Until(s.start.Add(every)))
	waitFor(t, func() bool { return s.Stats().Refusals == 1 })
	_, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if in := time.Since(s.start); err == nil && in > every+refuse {
		t.Skipf("dialled at %s, after the refusal: machine too busy to test it", in)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial during the refusal at %s: %v; want connection refused", time.Since(s.start), err)
	}
	get(t, kept)

	// After it: the same address listens again.
	time.Sleep(time.Until(s.start.Add(every + refuse)))
	var c net.Conn
	waitFor(t, func() bool {
		c, err = net.DialTimeout("tcp", s.Addr(), time.Second)
		return err == nil
	})
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	t.Logf("listening again %s after the refusal's end", time.Since(s.start.Add(every+refuse)))
	get(t, c)
	if st := s.Stats(); st.Refusals != 1 || st.Served != 3 || st.ListenErrs != 0 || st.Accepted != 2 {
		t.Fatalf("stats %+v; want 1 refusal, 3 served, 2 accepted", st)
	}
}
