package engine

import (
	"crypto/tls"
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

// TestTLSConfigSessionCache: sessions are resumed by default, from a
// cache of the run's own (each call makes one, so runs never share
// sessions) or the base configuration's; NoTLSResume leaves none, even
// over a base that has one.
func TestTLSConfigSessionCache(t *testing.T) {
	p := &Plan{Requests: []Request{{Host: "127.0.0.1:8443"}}}
	a, b := TLSConfig(nil, p), TLSConfig(nil, p)
	if a.ClientSessionCache == nil || a.ClientSessionCache == b.ClientSessionCache {
		t.Fatalf("caches %p and %p; want one of its own per call", a.ClientSessionCache, b.ClientSessionCache)
	}
	base := &tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(1)}
	if cfg := TLSConfig(base, p); cfg.ClientSessionCache != base.ClientSessionCache {
		t.Fatalf("cache %p, want the base's %p", cfg.ClientSessionCache, base.ClientSessionCache)
	}
	p.NoTLSResume = true
	if cfg := TLSConfig(base, p); cfg.ClientSessionCache != nil {
		t.Fatalf("cache %p with NoTLSResume; want none", cfg.ClientSessionCache)
	}
}
