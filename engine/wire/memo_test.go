package wire

import (
	"errors"
	"testing"
)

// TestMemoRecallsOnlyIdenticalBlocks feeds a stream in which header blocks
// repeat, and in which each change touches one thing the parser reads
// (status, length, close, chunking, version, HEAD-less 304, a 1xx before
// the final response). Cut every way, it must give exactly what the parser
// gives with its memo off, and the memo must have been used.
func TestMemoRecallsOnlyIdenticalBlocks(t *testing.T) {
	date := "Date: Wed, 25 Nov 2026 22:00:00 GMT|"
	base := "HTTP/1.1 200 OK|Server: x|" + date
	stream := crlf(base+"Content-Length: 5||hello") +
		crlf(base+"Content-Length: 5||world") + // the same block: recalled
		crlf(base+"Content-Length: 3||abc") + // another length
		crlf(base+"Content-Length: 3||def") +
		crlf("HTTP/1.1 404 OK|Server: x|"+date+"Content-Length: 3||nop") + // another status
		crlf(base+"Content-Length: 2|Connection: keep-alive||ok") +
		crlf(base+"Transfer-Encoding: chunked||2|ok|0||") + // chunked
		crlf(base+"Transfer-Encoding: chunked||1|k|0||") +
		crlf("HTTP/1.1 304 OK|Server: x|"+date+"Content-Length: 9||") + // no body whatever the length
		crlf("HTTP/1.1 100 Continue||HTTP/1.1 100 Continue||") + crlf(base+"Content-Length: 1||x") + // interim blocks, remembered too
		crlf("HTTP/1.1 100 Continue||") + crlf(base+"Content-Length: 1||y") +
		crlf("HTTP/1.0 200 OK|Server: x|"+date+"Content-Length: 2||10") + // HTTP/1.0: close after it
		crlf("HTTP/1.0 200 OK|Server: x|"+date+"Content-Length: 2||11")
	want := []resp{
		{200, 5, true}, {200, 5, true}, {200, 3, true}, {200, 3, true}, {404, 3, true},
		{200, 2, true}, {200, 2, true}, {200, 1, true}, {304, 0, true},
		{200, 1, true}, {200, 1, true}, {200, 2, false}, {200, 2, false},
	}
	in := []byte(stream)
	for name, chunks := range splits(in, 3) {
		on := &Parser{}
		got, broken := feedWith(on, chunks, false, 0, true)
		off, broken2 := feedWith(&Parser{memo: memo{off: true}}, chunks, false, 0, true)
		if broken != nil || broken2 != nil {
			t.Fatalf("%s: %v / %v", name, broken, broken2)
		}
		if err := sameOutcome(got, outcome{resps: want, consumed: len(in)}); err != nil {
			t.Fatalf("%s, memo on: %v", name, err)
		}
		if err := sameOutcome(off, got); err != nil {
			t.Fatalf("%s, memo off: %v", name, err)
		}
		if name == "whole" && on.memo.hits < 5 {
			t.Fatalf("whole: the memo recalled %d blocks, want >= 5 (the repeats)", on.memo.hits)
		}
	}
}

// TestMemoKeepsHeaderLimit: a remembered block is not recalled once the
// limit is lowered below its length; the block is read and refused.
func TestMemoKeepsHeaderLimit(t *testing.T) {
	block := crlf("HTTP/1.1 200 OK|Server: some server with a long name|Content-Length: 0||")
	var p Parser
	if _, done, err := p.Parse([]byte(block), false); !done || err != nil {
		t.Fatalf("first: done=%v err=%v", done, err)
	}
	p.SetMaxHeaderBytes(len(block) - 1)
	if _, _, err := p.Parse([]byte(block), false); !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("err = %v, want ErrHeaderTooLarge", err)
	}
	if p.memo.hits != 0 {
		t.Fatalf("recalled a block longer than the limit")
	}
}

// TestMemoHeadRequest: a remembered block with a Content-Length answers a
// HEAD request with no body, and a GET after it with one.
func TestMemoHeadRequest(t *testing.T) {
	block := crlf("HTTP/1.1 200 OK|Content-Length: 4||")
	var p Parser
	buf := []byte(block + block + "body" + block)
	for i, head := range []bool{true, false, true} {
		n, done, err := p.Parse(buf, head)
		if !done || err != nil {
			t.Fatalf("response %d: done=%v err=%v", i, done, err)
		}
		want := int64(4)
		if head {
			want = 0
		}
		if p.BodyLen() != want {
			t.Fatalf("response %d (head %v): body %d, want %d", i, head, p.BodyLen(), want)
		}
		buf = buf[n:]
	}
	if p.memo.hits != 2 {
		t.Fatalf("hits = %d, want 2", p.memo.hits)
	}
}
