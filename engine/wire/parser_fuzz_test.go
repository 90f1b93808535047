package wire

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// fuzzMaxHeader is small so that fuzzed inputs reach the limits.
const fuzzMaxHeader = 256

// FuzzParser feeds a stream whole, then in pieces chosen by seed, and
// checks the invariants: no panic, 0 <= n <= len(buf), never more than the
// maximum header size to keep, every byte either consumed or kept, and the
// same responses and the same error however the stream is cut. Where
// net/http also reads a response, both agree on its status and length.
func FuzzParser(f *testing.F) {
	for _, tc := range parseCases() {
		f.Add([]byte(tc.in), tc.head, uint64(len(tc.in)))
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool, seed uint64) {
		whole, broken := feed([][]byte{data}, head, fuzzMaxHeader, true)
		if broken != nil {
			t.Fatalf("whole: %v", broken)
		}
		if err := checkOutcome(whole, len(data)); err != nil {
			t.Fatalf("whole: %v", err)
		}
		if err := agreeWithNetHTTP(whole.resps, data, head); err != nil {
			t.Fatal(err)
		}
		// The memo must never change an outcome: twice the stream (so that
		// its header blocks repeat), with the memo on and off.
		twice := append(append([]byte(nil), data...), data...)
		for name, chunks := range fuzzSplits(twice, seed) {
			on, broken := feed(chunks, head, fuzzMaxHeader, true)
			off, broken2 := feedWith(&Parser{memo: memo{off: true}}, chunks, head, fuzzMaxHeader, true)
			if broken != nil || broken2 != nil {
				t.Fatalf("twice %s: %v / %v", name, broken, broken2)
			}
			if err := sameOutcome(on, off); err != nil {
				t.Fatalf("twice %s: memo on and off differ: %v", name, err)
			}
		}
		for name, chunks := range fuzzSplits(data, seed) {
			got, broken := feed(chunks, head, fuzzMaxHeader, true)
			if broken != nil {
				t.Fatalf("%s: %v", name, broken)
			}
			if err := sameOutcome(got, whole); err != nil {
				t.Fatalf("%s: %v (whole: %+v, err %v)", name, err, whole.resps, whole.err)
			}
		}
	})
}

// checkOutcome checks what holds for any single feeding of a stream.
func checkOutcome(o outcome, size int) error {
	for i, r := range o.resps {
		if r.status < 100 || r.status > 999 || (r.status < 200 && r.status != 101) || r.bodyLen < 0 {
			return fmt.Errorf("response %d is %+v", i, r)
		}
	}
	if o.err == nil && o.consumed+o.kept != size {
		return fmt.Errorf("consumed %d + kept %d != %d bytes", o.consumed, o.kept, size)
	}
	if o.err == nil && o.kept != 0 {
		// EOF with kept bytes must have failed with ErrIncomplete.
		return fmt.Errorf("%d bytes kept at EOF without an error", o.kept)
	}
	return nil
}

// fuzzSplits cuts data at one point chosen by seed, byte by byte when
// short, and in random pieces.
func fuzzSplits(data []byte, seed uint64) map[string][][]byte {
	out := map[string][][]byte{}
	if len(data) > 1 {
		at := 1 + int(seed%uint64(len(data)-1))
		out["split"] = [][]byte{data[:at], data[at:]}
	}
	if len(data) <= 1024 {
		bytewise := make([][]byte, len(data))
		for i := range data {
			bytewise[i] = data[i : i+1]
		}
		out["bytewise"] = bytewise
	}
	r := rand.New(rand.NewPCG(seed, 11))
	var chunks [][]byte
	for rest := data; len(rest) > 0; {
		n := min(1+r.IntN(64), len(rest))
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	out["random"] = chunks
	return out
}
