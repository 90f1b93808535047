package reactor

import (
	"fmt"

	"github.com/nowait/nowait/engine"
)

// maxWheel bounds the length of the weight rotation. Weights whose sum is
// larger are scaled down to it (each weight stays at least 1), which keeps
// the pre-built buffer small at the price of a slightly coarser mix.
const maxWheel = 4096

// mix is the deterministic rotation of a plan's requests by weight, laid
// out once so that any run of up to depth consecutive requests is one
// contiguous byte range: refilling a pipeline with k requests is a single
// write straight from this memory, with no copy.
//
//	seq:  r0 r1 r0 r0 | r0 r1 ...   wheel of W entries, then depth more (wrapping)
//	off:  0  a  a+b   ...           byte offset of each entry, plus the end
//	batch(pos, k) = buf[off[pos] : off[pos+k]]   for pos < W, k <= depth
//
// With a single request W is 1 and buf is depth+1 copies of it.
type mix struct {
	buf   []byte
	off   []int   // W+depth+1 offsets into buf
	seq   []int32 // request index of each of the W+depth entries
	wheel int     // W, the period of the rotation
	depth int     // the longest batch
	head  []bool  // per request: the response carries no body (HEAD)
	size  []int   // per request: its encoded bytes
}

// newMix lays out reqs for batches of up to depth requests.
func newMix(reqs []engine.Request, depth int) (*mix, error) {
	if len(reqs) == 0 || depth < 1 {
		return nil, fmt.Errorf("%w: %d requests, depth %d", ErrMix, len(reqs), depth)
	}
	order := rotation(weights(reqs))
	m := &mix{wheel: len(order), depth: depth, head: make([]bool, len(reqs)), size: make([]int, len(reqs))}
	for i := range reqs {
		if len(reqs[i].Raw) == 0 {
			return nil, fmt.Errorf("%w: request %d is not encoded", ErrMix, i)
		}
		m.head[i] = reqs[i].Head()
		m.size[i] = len(reqs[i].Raw)
	}
	n := m.wheel + depth
	m.seq = make([]int32, n)
	m.off = make([]int, n+1)
	size := 0
	for i := range n {
		m.seq[i] = order[i%m.wheel]
		m.off[i] = size
		size += len(reqs[m.seq[i]].Raw)
	}
	m.off[n] = size
	m.buf = make([]byte, 0, size)
	for i := range n {
		m.buf = append(m.buf, reqs[m.seq[i]].Raw...)
	}
	return m, nil
}

// batch returns the bytes of the k requests starting at wheel position pos
// (pos < W, 1 <= k <= depth) and the position after them.
func (m *mix) batch(pos, k int) (b []byte, next int) {
	b = m.buf[m.off[pos]:m.off[pos+k]]
	return b, (pos + k) % m.wheel
}

// weights returns the requests' weights (0 counts as 1), reduced by their
// greatest common divisor and scaled down so that they sum to at most
// maxWheel.
func weights(reqs []engine.Request) []int {
	w := make([]int, len(reqs))
	g, sum := 0, 0
	for i := range reqs {
		w[i] = max(reqs[i].Weight, 1)
		g = gcd(g, w[i])
	}
	for i := range w {
		w[i] /= g
		sum += w[i]
	}
	if sum > maxWheel {
		for i := range w {
			w[i] = max(1, w[i]*maxWheel/sum)
		}
	}
	return w
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// rotation spreads the requests over one period by smooth weighted round
// robin: at each step every request gains its weight, the one with most
// credit is sent and pays the total. Weights 3 and 1 give 0 0 1 0, not
// 0 0 0 1, so a short run already sees the mix.
func rotation(w []int) []int32 {
	total := 0
	for _, x := range w {
		total += x
	}
	credit := make([]int, len(w))
	out := make([]int32, 0, total)
	for range total {
		best := 0
		for i, x := range w {
			credit[i] += x
			if credit[i] > credit[best] {
				best = i
			}
		}
		credit[best] -= total
		out = append(out, int32(best))
	}
	return out
}
