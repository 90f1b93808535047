package wire

import (
	"errors"
	"testing"
)

// TestTLSRecordIsNamed: a TLS alert or handshake where a status line
// should be is a bad response that says so (ErrTLSRecord), whole or
// arriving a byte at a time; other garbage is a bad response alone.
func TestTLSRecordIsNamed(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		tls  bool
	}{
		{"alert", "\x15\x03\x03\x00\x02\x02\x46", true},
		{"alert TLS 1.0", "\x15\x03\x01\x00\x02\x02\x28", true},
		{"handshake", "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03", true},
		{"garbage", "garbage\r\n", false},
		{"0x15 not TLS", "\x15\x04abc\r\n", false},
	} {
		for _, split := range []bool{false, true} {
			var p Parser
			var err error
			if split {
				for i := 0; i < len(tc.in) && err == nil; i++ {
					_, _, err = p.Parse([]byte(tc.in[:i+1]), false)
				}
			} else {
				_, _, err = p.Parse([]byte(tc.in), false)
			}
			if !errors.Is(err, ErrBadResponse) || errors.Is(err, ErrTLSRecord) != tc.tls {
				t.Errorf("%s (split %v): err %v; want a bad response, TLS %v", tc.name, split, err, tc.tls)
			}
		}
	}
}
