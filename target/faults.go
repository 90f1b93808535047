package target

import (
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
)

// FaultKind names one way the target misbehaves on a request.
type FaultKind uint8

// The fault kinds. Each picked request gets exactly one of them.
const (
	// FaultReset writes the status line, the headers and half the body,
	// then resets the connection (SO_LINGER 0, then close: an RST).
	FaultReset FaultKind = iota
	// FaultClose answers a complete 200 with "Connection: close" and closes
	// the connection (CloseAfter, by percentage).
	FaultClose
	// FaultGarbage answers with bytes that are not HTTP, then closes.
	FaultGarbage
	// FaultBigHeader answers 200 with one header whose value alone is
	// Config.HeaderSize bytes, more than a client's header cap.
	FaultBigHeader
	// FaultShortBody announces Content-Length N, writes N/2 bytes of body,
	// then closes the connection cleanly (FIN).
	FaultShortBody
	// FaultDrip writes a complete 200 (with "Connection: close") one byte
	// every Config.DripEvery, then closes.
	FaultDrip
	// FaultHang reads the request and never answers; the connection stays
	// open until the client closes it or the server is closed.
	FaultHang
	// Fault500 answers 500 Internal Server Error.
	Fault500
	// Fault503 answers 503 Service Unavailable.
	Fault503

	numFaultKinds = iota
)

// String returns the kind's name, as ParseFaultKind reads it.
func (k FaultKind) String() string {
	switch k {
	case FaultReset:
		return "reset"
	case FaultClose:
		return "close"
	case FaultGarbage:
		return "garbage"
	case FaultBigHeader:
		return "big-header"
	case FaultShortBody:
		return "short-body"
	case FaultDrip:
		return "drip"
	case FaultHang:
		return "hang"
	case Fault500:
		return "500"
	case Fault503:
		return "503"
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// FaultKinds returns every fault kind, in the order of their constants.
func FaultKinds() []FaultKind {
	ks := make([]FaultKind, numFaultKinds)
	for i := range ks {
		ks[i] = FaultKind(i)
	}
	return ks
}

// FaultKindNames returns the names of every fault kind, comma-separated,
// for error messages and help text.
func FaultKindNames() string {
	names := make([]string, numFaultKinds)
	for i := range names {
		names[i] = FaultKind(i).String()
	}
	return strings.Join(names, ", ")
}

// ParseFaultKind returns the kind with the given name, and false if there
// is none.
func ParseFaultKind(name string) (FaultKind, bool) {
	for i := range numFaultKinds {
		if k := FaultKind(i); k.String() == name {
			return k, true
		}
	}
	return 0, false
}

// Fault asks for one kind of fault on Percent percent of requests
// (0 < Percent <= 100).
type Fault struct {
	Kind    FaultKind
	Percent float64
}

// garbage is what FaultGarbage writes: it starts with bytes no HTTP
// response starts with and ends with a blank line, so a lenient parser
// that skips to "\r\n\r\n" still gets no status line.
const garbage = "\x00\xff\x16\x03 nowait target fault: garbage, not HTTP \x7f\r\n\r\n"

// Defaults for the fault knobs, reused by the CLI flags.
const (
	DefaultHeaderSize = 64 << 10             // bytes of the big header
	DefaultDripEvery  = 5 * time.Millisecond // gap between dripped bytes
)

// pick draws the fault for one request, if any. It does not allocate.
func (s *Server) pick() (FaultKind, bool) {
	if len(s.faultCum) == 0 {
		return 0, false
	}
	u := rand.Float64() * 100
	for i, c := range s.faultCum {
		if u < c {
			return s.cfg.Faults[i].Kind, true
		}
	}
	return 0, false
}

// serveRaw runs a raw fault on a hijacked connection. fasthttp closes c
// (with a FIN) when serveRaw returns, unless the fault closed it first.
func (s *Server) serveRaw(kind FaultKind, c net.Conn) {
	// Track the TCP connection under fasthttp's wrapper and under TLS:
	// the wrapper's Close does nothing, Close must be able to end a hang
	// at once, and a reset needs the TCP socket's SO_LINGER. Writes still
	// go through c, encrypted with TLS.
	nc := plainConn(unwrap(c))
	if !s.raw.add(nc) {
		return
	}
	defer s.raw.remove(nc)
	var err error
	switch kind {
	case FaultReset:
		if _, err = c.Write(s.rawResp[:s.rawHalf]); err == nil {
			err = reset(nc)
		}
	case FaultShortBody:
		_, err = c.Write(s.rawResp[:s.rawHalf])
	case FaultGarbage:
		_, err = io.WriteString(c, garbage)
	case FaultDrip:
		if err = s.drip(c); err == nil {
			s.served.Add(1)
		}
	case FaultHang:
		// Read (and drop) whatever comes until the client closes the
		// connection or Close closes it; never answer.
		_, err = io.Copy(io.Discard, c)
	}
	if err != nil {
		s.aborted.Add(1)
	}
}

// drip writes the whole response one byte at a time.
func (s *Server) drip(c net.Conn) error {
	for i := range s.rawResp {
		if i > 0 {
			time.Sleep(s.dripEvery)
		}
		select {
		case <-s.closing:
			return net.ErrClosed
		default:
		}
		if _, err := c.Write(s.rawResp[i : i+1]); err != nil {
			return err
		}
	}
	return nil
}

// reset closes c with an RST instead of a FIN: SO_LINGER 0 makes the
// kernel drop unsent data and reset the connection on close.
func reset(c net.Conn) error {
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetLinger(0); err != nil {
			return err
		}
	}
	return c.Close()
}

// unwrap returns the connection under fasthttp's hijack wrapper.
func unwrap(c net.Conn) net.Conn {
	if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
		return u.UnsafeConn()
	}
	return c
}
