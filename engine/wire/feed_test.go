package wire

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// resp is what the parser reported for one completed response.
type resp struct {
	status    int
	bodyLen   int64
	keepAlive bool
}

// outcome is what feeding a stream to a parser produced.
type outcome struct {
	resps    []resp
	err      error
	consumed int // sum of n over all Parse calls
	kept     int // bytes the caller still keeps at the end
}

// feeder simulates the caller contract: it presents each read after the
// bytes kept from the previous call, calls Parse again after each done
// response with the rest of buf, and keeps buf[n:] when the parser needs
// more bytes.
type feeder struct {
	p       *Parser
	head    bool
	maxKept int
	kept    []byte
	bufMem  []byte // reused for each read: kept bytes then the new ones
	keptMem []byte // reused for the kept bytes, apart from bufMem
	out     outcome
	// check reports a broken invariant; nil means none.
	check error
}

// read hands one read's bytes to the parser.
func (f *feeder) read(chunk []byte) {
	if f.out.err != nil || f.check != nil {
		return
	}
	f.bufMem = append(append(f.bufMem[:0], f.kept...), chunk...)
	buf := f.bufMem
	f.kept = nil
	for {
		n, done, err := f.p.Parse(buf, f.head)
		if n < 0 || n > len(buf) {
			f.check = fmt.Errorf("Parse returned n=%d for len(buf)=%d", n, len(buf))
			return
		}
		f.out.consumed += n
		if err != nil {
			f.out.err = err
			return
		}
		if done {
			f.out.resps = append(f.out.resps, resp{f.p.Status(), f.p.BodyLen(), f.p.KeepAlive()})
			buf = buf[n:]
			if len(buf) == 0 {
				return
			}
			continue
		}
		if n < len(buf) {
			if len(buf)-n > f.maxKept {
				f.check = fmt.Errorf("caller must keep %d bytes, more than the maximum %d", len(buf)-n, f.maxKept)
				return
			}
			f.keptMem = append(f.keptMem[:0], buf[n:]...)
			f.kept = f.keptMem
		}
		if len(f.kept) > 0 && !f.p.Busy() {
			f.check = errors.New("parser not Busy while the caller keeps bytes")
		}
		return
	}
}

// eof tells the parser the peer closed and returns the whole outcome.
func (f *feeder) eof(call bool) outcome {
	if call && f.out.err == nil && f.check == nil {
		done, err := f.p.EOF()
		if done {
			f.out.resps = append(f.out.resps, resp{f.p.Status(), f.p.BodyLen(), f.p.KeepAlive()})
		}
		f.out.err = err
	}
	f.out.kept = len(f.kept)
	return f.out
}

// feed runs a new parser over chunks and returns what happened.
func feed(chunks [][]byte, head bool, maxHeader int, eof bool) (outcome, error) {
	return feedWith(&Parser{}, chunks, head, maxHeader, eof)
}

// feedWith is feed with a given new parser (one with its memo off, say).
func feedWith(p *Parser, chunks [][]byte, head bool, maxHeader int, eof bool) (outcome, error) {
	p.SetMaxHeaderBytes(maxHeader)
	f := &feeder{p: p, head: head, maxKept: p.max()}
	for _, c := range chunks {
		f.read(c)
	}
	return f.eof(eof), f.check
}

// splits returns the ways a stream is fed in the tests: whole, in two
// pieces at every byte boundary, byte by byte, and in random pieces.
func splits(in []byte, seed uint64) map[string][][]byte {
	out := map[string][][]byte{"whole": {in}}
	for i := 1; i < len(in); i++ {
		out[fmt.Sprintf("split@%d", i)] = [][]byte{in[:i], in[i:]}
	}
	bytewise := make([][]byte, len(in))
	for i := range in {
		bytewise[i] = in[i : i+1]
	}
	out["bytewise"] = bytewise
	r := rand.New(rand.NewPCG(seed, 7))
	for k := range 8 {
		var chunks [][]byte
		for rest := in; len(rest) > 0; {
			n := min(1+r.IntN(40), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		out[fmt.Sprintf("random%d", k)] = chunks
	}
	return out
}

// sameOutcome compares outcomes, errors by their sentinel.
func sameOutcome(got, want outcome) error {
	if len(got.resps) != len(want.resps) {
		return fmt.Errorf("%d responses %v, want %d %v", len(got.resps), got.resps, len(want.resps), want.resps)
	}
	for i := range got.resps {
		if got.resps[i] != want.resps[i] {
			return fmt.Errorf("response %d = %+v, want %+v", i, got.resps[i], want.resps[i])
		}
	}
	if sentinel(got.err) != sentinel(want.err) {
		return fmt.Errorf("error %v, want %v", got.err, want.err)
	}
	if want.err == nil && (got.consumed != want.consumed || got.kept != want.kept) {
		return fmt.Errorf("consumed %d kept %d, want %d and %d", got.consumed, got.kept, want.consumed, want.kept)
	}
	return nil
}

// sentinel maps an error to the package sentinel it wraps.
func sentinel(err error) error {
	for _, s := range []error{ErrBadResponse, ErrHeaderTooLarge, ErrIncomplete} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

func TestFeederKeepsPartialHeader(t *testing.T) {
	in := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	p := &Parser{}
	n, done, err := p.Parse(in[:10], false)
	if n != 0 || done || err != nil || !p.Busy() {
		t.Fatalf("partial status line: n=%d done=%v err=%v busy=%v", n, done, err, p.Busy())
	}
	n, done, err = p.Parse(in[:20], false)
	if n != 17 || done || err != nil || !p.Busy() {
		t.Fatalf("status line and partial header: n=%d done=%v err=%v busy=%v", n, done, err, p.Busy())
	}
	n, done, err = p.Parse(in[17:], false)
	if n != len(in)-17 || !done || err != nil || p.Busy() {
		t.Fatalf("rest: n=%d done=%v err=%v busy=%v", n, done, err, p.Busy())
	}
	if p.Status() != 200 || p.BodyLen() != 2 || !p.KeepAlive() {
		t.Fatalf("got %d %d %v", p.Status(), p.BodyLen(), p.KeepAlive())
	}
}
