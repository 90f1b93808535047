package wire

import "bytes"

// memoBytes is the longest header block the parser remembers.
const memoBytes = 512

// memo is the last header block the parser read line by line, byte for
// byte, with what it said. Servers repeat their header blocks: the same
// status, the same headers in the same order, and a Date that changes once
// a second. A response whose header block equals the remembered one says
// the same things, so the parser takes them from the memo instead of
// reading the block again: one comparison instead of a scan per line and a
// check per header name. A block that differs is read line by line, and
// remembered in its turn.
//
// The block's buffer is allocated when the first block is remembered, so a
// parser that never reads a response (a held, idle connection's) costs
// nothing for it.
type memo struct {
	n      int // length of the remembered block; 0 for none
	fields headFields
	off    bool   // tests: parse every block line by line
	hits   int    // tests: blocks recalled
	block  []byte // memoBytes once allocated
}

// match returns the length of the remembered block when b starts with it,
// and 0 otherwise or when the block is longer than the header limit max.
func (m *memo) match(b []byte, max int) int {
	if m.n == 0 || m.n > max || len(b) < m.n || !bytes.Equal(b[:m.n], m.block[:m.n]) {
		return 0
	}
	m.hits++
	return m.n
}

// remember keeps block, a whole header block up to and including its empty
// line, and what it said. A longer block than memoBytes is not kept.
func (m *memo) remember(block []byte, f headFields) {
	if len(block) > memoBytes || m.off {
		m.n = 0
		return
	}
	if m.block == nil {
		m.block = make([]byte, memoBytes) // once per parser: the hot path does not allocate
	}
	m.n = copy(m.block, block)
	m.fields = f
}

// recalled takes over the fields of a remembered block of k bytes that the
// response in progress starts with, as if its lines had been read, and
// reports whether the response is done.
func (p *Parser) recalled(k int, head bool) bool {
	if !p.interim {
		p.head = head
	}
	p.headFields = p.memo.fields
	p.tokenBytes = k
	p.scan = 0 // the partial line the caller kept was part of the block
	p.state = stHeaders
	return p.endHeaders()
}
