package engine

import (
	"crypto/x509"
	"testing"
)

// TestTLSConfigRootCAs: the plan's RootCAs replace the system roots, over
// a base configuration too, and without them the roots stay the base's
// (nil: the system's).
func TestTLSConfigRootCAs(t *testing.T) {
	roots := x509.NewCertPool()
	p := &Plan{Requests: []Request{{Host: "127.0.0.1:8443"}}, RootCAs: roots}
	if cfg := TLSConfig(nil, p); cfg.RootCAs != roots || cfg.InsecureSkipVerify {
		t.Fatalf("RootCAs %p (want the plan's %p), insecure %v", cfg.RootCAs, roots, cfg.InsecureSkipVerify)
	}
	p.RootCAs = nil
	if cfg := TLSConfig(nil, p); cfg.RootCAs != nil {
		t.Fatalf("RootCAs %p without the plan's; want nil, the system roots", cfg.RootCAs)
	}
}
