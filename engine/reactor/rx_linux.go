package reactor

import "github.com/nowait/nowait/engine/wire"

// rx is what a connection needs only while responses are on their way:
// the parser's state and the bytes of an incomplete header or chunk line
// it left (grown once to the longest seen, kept in the pool). A loop keeps
// a pool of them: a connection takes one with its first request in flight
// and gives it back once all are answered.
type rx struct {
	p     wire.Parser
	carry []byte
}

// takeRx gives c an rx from the loop's pool; it allocates only while the
// pool grows to the most connections ever busy at once.
func (l *loop) takeRx(c *conn) {
	if n := len(l.rxFree); n > 0 {
		c.rx = l.rxFree[n-1]
		l.rxFree = l.rxFree[:n-1]
		return
	}
	c.rx = &rx{}
	c.rx.p.SetMaxHeaderBytes(l.maxHdr)
}

// putRx returns c's rx, reset, to the pool.
func (l *loop) putRx(c *conn) {
	r := c.rx
	c.rx = nil
	r.p.Reset()
	r.carry = r.carry[:0]
	l.rxFree = append(l.rxFree, r)
}
