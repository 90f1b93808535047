package target

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// oneFault starts a target that gives every request the kind, sends one
// request and reads one response.
func oneFault(t *testing.T, cfg Config, kind FaultKind, req string) (*Server, []byte, int, error) {
	t.Helper()
	cfg.Faults = []Fault{{kind, 100}}
	s := start(t, cfg)
	c := dial(t, s, 2*time.Second)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	data, headLen, err := readResponse(c)
	if err == nil {
		// A complete response: read on, to see whether the target closes.
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		var rest []byte
		rest, err = io.ReadAll(c)
		data = append(data, rest...)
	}
	if got := s.Faults()[kind]; got != 1 {
		t.Errorf("Faults()[%s] = %d; want 1", kind, got)
	}
	return s, data, headLen, err
}

func TestFaultReset(t *testing.T) {
	s, data, _, err := oneFault(t, Config{BodySize: 1000}, FaultReset, reqKeepAlive)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read ended with %v; want ECONNRESET", err)
	}
	// The bytes that came before the reset are the start of the response.
	if !bytes.HasPrefix(s.rawResp, data) {
		t.Fatalf("got %q before the reset; want a prefix of the response", data)
	}
	if s.Served() != 0 {
		t.Fatalf("served %d; want 0", s.Served())
	}
}

func TestFaultGarbage(t *testing.T) {
	s, data, _, err := oneFault(t, Config{}, FaultGarbage, reqKeepAlive)
	if err != nil || string(data) != garbage {
		t.Fatalf("got %q, %v; want the garbage then EOF", data, err)
	}
	if statusOf(data) != 0 || s.Served() != 0 {
		t.Fatalf("status %d, served %d; want neither", statusOf(data), s.Served())
	}
}

func TestFaultShortBody(t *testing.T) {
	s, data, headLen, err := oneFault(t, Config{BodySize: 100}, FaultShortBody, reqKeepAlive)
	if err != io.EOF {
		t.Fatalf("read ended with %v; want EOF", err)
	}
	if cl, body := contentLength(data[:headLen]), len(data)-headLen; cl != 100 || body != 50 {
		t.Fatalf("Content-Length %d with %d body bytes; want 100 and 50", cl, body)
	}
	if s.Served() != 0 {
		t.Fatalf("served %d; want 0", s.Served())
	}
}

func TestFaultBigHeader(t *testing.T) {
	s, data, headLen, err := oneFault(t, Config{}, FaultBigHeader, reqKeepAlive)
	if !isTimeout(err) { // the connection is kept alive
		t.Fatalf("read ended with %v; want the connection kept open", err)
	}
	if statusOf(data) != 200 || headLen <= DefaultHeaderSize || len(data) != headLen+DefaultBodySize {
		t.Fatalf("status %d, head %d bytes, %d in all; want 200 with a head over %d", statusOf(data), headLen, len(data), DefaultHeaderSize)
	}
	if s.Served() != 0 {
		t.Fatalf("served %d; want 0", s.Served())
	}
}

func TestFaultClose(t *testing.T) {
	s, data, headLen, err := oneFault(t, Config{}, FaultClose, reqKeepAlive)
	if err != nil || statusOf(data) != 200 || !bytes.Contains(data[:headLen], []byte("Connection: close")) {
		t.Fatalf("got %q, %v; want a 200 with Connection: close, then EOF", data, err)
	}
	if s.Served() != 1 {
		t.Fatalf("served %d; want 1", s.Served())
	}
}

func TestFault5xx(t *testing.T) {
	for _, kind := range []FaultKind{Fault500, Fault503} {
		t.Run(kind.String(), func(t *testing.T) {
			s := start(t, Config{Faults: []Fault{{kind, 100}}})
			cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := cl.Get(s.URL())
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if want := kind.String(); fmt.Sprint(resp.StatusCode) != want {
				t.Fatalf("status %d; want %s", resp.StatusCode, want)
			}
			if s.Served() != 1 || s.Faults()[kind] != 1 {
				t.Fatalf("served %d, faults %v; want 1 and 1", s.Served(), s.Faults())
			}
		})
	}
}

func TestFaultDrip(t *testing.T) {
	const every = 3 * time.Millisecond
	s := start(t, Config{Faults: []Fault{{FaultDrip, 100}}, DripEvery: every})
	c := dial(t, s, 3*time.Second)
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		t.Fatal(err)
	}
	var data []byte
	reads := 0
	buf := make([]byte, 1024)
	var first, last time.Time
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if reads == 0 {
				first = time.Now()
			}
			last = time.Now()
			reads++
			data = append(data, buf[:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(data, s.rawResp) {
		t.Fatalf("got %q; want %q", data, s.rawResp)
	}
	// Sleep never returns early, so the bytes span at least (n-1) gaps;
	// and they came in many pieces, not in one.
	if span, min := last.Sub(first), time.Duration(len(data)-1)*every; span < min-time.Millisecond || reads < len(data)/4 {
		t.Fatalf("%d bytes in %d reads over %s; want at least %s and many reads", len(data), reads, span, min)
	}
	if s.Served() != 1 {
		t.Fatalf("served %d; want 1", s.Served())
	}
}

func TestFaultHang(t *testing.T) {
	s := start(t, Config{Faults: []Fault{{FaultHang, 100}}})
	c := dial(t, s, 150*time.Millisecond)
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	n, err := c.Read(make([]byte, 100))
	if n != 0 || !isTimeout(err) || time.Since(t0) < 100*time.Millisecond {
		t.Fatalf("read %d bytes, %v after %s; want nothing until the deadline", n, err, time.Since(t0))
	}
	if s.OpenConns() != 1 || s.Faults()[FaultHang] != 1 {
		t.Fatalf("open %d, faults %v; want the hung connection counted", s.OpenConns(), s.Faults())
	}
	// The client gives up: the target lets the connection go.
	c.Close()
	waitFor(t, func() bool { return s.OpenConns() == 0 })
}

// TestFaultMix draws 1000 requests from a mix of every fault a client can
// tell apart at once, and checks that what the client saw matches, kind
// by kind, what the target says it did, and roughly the percentages.
func TestFaultMix(t *testing.T) {
	mix := []Fault{
		{FaultReset, 10}, {FaultGarbage, 10}, {FaultShortBody, 10}, {FaultBigHeader, 10},
		{FaultClose, 10}, {Fault500, 10}, {Fault503, 10},
	} // 30% no fault
	s := start(t, Config{Faults: mix, HeaderSize: 2048})
	const requests, workers = 1000, 4
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range requests / workers {
				kind, err := classify(s)
				mu.Lock()
				seen[kind]++
				if err != nil && seen[kind] == 1 {
					t.Errorf("%s: %v", kind, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got := s.Faults()
	for _, f := range mix {
		if seen[f.Kind.String()] != int(got[f.Kind]) {
			t.Errorf("%s: client saw %d, target gave %d", f.Kind, seen[f.Kind.String()], got[f.Kind])
		}
		// Binomial(1000, 0.1): sd 9.5; bounds at about 5 sd.
		if n := got[f.Kind]; n < 55 || n > 145 {
			t.Errorf("%s: %d of 1000; want about 100", f.Kind, n)
		}
	}
	if n := seen["none"]; n < 230 || n > 370 {
		t.Errorf("no fault: %d of 1000; want about 300", n)
	}
	ok := uint64(seen["none"] + seen["close"] + seen["500"] + seen["503"])
	if s.Served() != ok || seen["?"] != 0 {
		t.Errorf("served %d, client saw %d complete responses; %d unclassified", s.Served(), ok, seen["?"])
	}
	t.Logf("client saw %v", seen)
}

// classify sends one request on a new connection and names the fault the
// response shows, "none" for a plain 200, "?" (with why) if it cannot tell.
func classify(s *Server) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		return "?", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, reqKeepAlive); err != nil {
		return "?", err
	}
	data, headLen, err := readResponse(c)
	head := data[:headLen]
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "reset", nil
	case string(data) == garbage:
		return "garbage", nil
	case err == io.EOF && headLen > 0 && len(data)-headLen < contentLength(head):
		return "short-body", nil
	case err != nil:
		return "?", fmt.Errorf("%w after %q", err, data)
	case bytes.Contains(head, []byte("X-Nowait-Padding: ")):
		return "big-header", nil
	case statusOf(head) == 500:
		return "500", nil
	case statusOf(head) == 503:
		return "503", nil
	case statusOf(head) == 200 && bytes.Contains(head, []byte("Connection: close")):
		return "close", nil
	case statusOf(head) == 200:
		return "none", nil
	}
	return "?", fmt.Errorf("unexpected response %q", data)
}
