package goroutine

import (
	"bufio"
	"bytes"
	"io"
	"time"

	"github.com/valyala/fasthttp"
)

// transport is the slot's HostClient round trip: fasthttp's own
// (fasthttp.DefaultTransport), less what this client never uses (body
// streaming, a maximum connection age, separate read and write
// timeouts), plus one look at what is left in the read buffer after the
// response. fasthttp drops bytes that came behind a complete response
// when it pools its reader; the other modes count them as one bad
// response and close the connection (the server broke HTTP/1.1 and the
// stream cannot be trusted), and so does this. The look costs one
// subtraction per request.
type transport struct {
	s       *slot
	timeout time.Duration // every request's: the worker calls DoTimeout with it
}

var _ fasthttp.RoundTripper = (*transport)(nil)

// RoundTrip writes req on the client's connection and reads its response
// into resp. retry is moot: the client retries nothing (RetryIfErr).
func (t *transport) RoundTrip(hc *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) (retry bool, err error) {
	deadline := time.Now().Add(t.timeout)
	cc, err := hc.AcquireConn(t.timeout, req.ConnectionClose())
	if err != nil {
		return false, err
	}
	conn := cc.Conn()
	resp.ParseNetConn(conn)
	if err = conn.SetWriteDeadline(deadline); err != nil {
		hc.CloseConn(cc)
		return true, err
	}
	bw := hc.AcquireWriter(conn)
	err = req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	hc.ReleaseWriter(bw)
	if x, ok := err.(interface{ Timeout() bool }); ok && x.Timeout() {
		err = fasthttp.ErrTimeout // as fasthttp's own transport has it
	}
	if err != nil {
		hc.CloseConn(cc)
		return true, err
	}
	if err = conn.SetReadDeadline(deadline); err != nil {
		hc.CloseConn(cc)
		return true, err
	}
	if req.Header.IsHead() {
		resp.SkipBody = true
	}
	if hc.DisableHeaderNamesNormalizing {
		resp.Header.DisableNormalizing()
	}
	br := hc.AcquireReader(conn)
	fixed, n, err := crlfAhead(br)
	left := br.Buffered // what came after the response
	switch {
	case err != nil:
	case fixed == nil:
		err = resp.ReadLimitBody(br, hc.MaxResponseBodySize)
	default:
		// Lines that end with a lone LF (lf.go): the response is read
		// with CR LF lines, then from the connection.
		rd := bytes.NewReader(crlfTaken(br, fixed, n))
		fr := bufio.NewReaderSize(io.MultiReader(rd, conn), br.Size())
		left = func() int { return fr.Buffered() + rd.Len() }
		err = resp.ReadLimitBody(fr, hc.MaxResponseBodySize)
	}
	if err != nil {
		hc.ReleaseReader(br)
		hc.CloseConn(cc)
		return err != fasthttp.ErrBodyTooLarge, err
	}
	// Bytes after a Connection: close response are the close's business,
	// as in the other modes: the connection ends anyway.
	closeConn := req.ConnectionClose() || resp.ConnectionClose()
	stray := !closeConn && left() > 0
	hc.ReleaseReader(br)
	if closeConn || stray {
		hc.CloseConn(cc)
	} else {
		hc.ReleaseConn(cc)
	}
	if stray {
		t.s.stray()
	}
	return false, nil
}
