package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"

	"github.com/nowait/nowait/stats"
)

// TLSSessionCacheSize is how many sessions the client session cache of a
// run keeps. crypto/tls keys the cache by the server name, which
// TLSConfig always sets, and a run has one (its first request's host): one
// entry is used, which each handshake reads once and each session ticket
// the server sends replaces. A cache sized for the connections would hold
// nothing more; a few spare entries cost nothing.
const TLSSessionCacheSize = 8

// TLSConfig returns the configuration every mode's https connections use:
// a clone of base, or a default one (TLS 1.2 and later), with the server
// name of the first request's host, verifying the server's certificate
// against the plan's RootCAs (the system roots when it has none) unless
// the plan says not to verify it, and offering HTTP/1.1 by ALPN.
//
// Sessions are resumed (TLS 1.3 tickets, or TLS 1.2 ones) unless the plan
// says not to: the configuration carries a client session cache of its
// own (base's, if it has one), which crypto/tls locks and which every
// connection of the run shares, touched once per handshake and once per
// ticket received, never per request. Call it once per run, so that a run
// never resumes a session of another.
func TLSConfig(base *tls.Config, plan *Plan) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.ServerName == "" && len(plan.Requests) > 0 {
		cfg.ServerName = Hostname(plan.Requests[0].Host)
	}
	if plan.RootCAs != nil {
		cfg.RootCAs = plan.RootCAs
	}
	if plan.InsecureSkipVerify {
		cfg.InsecureSkipVerify = true
	}
	switch {
	case plan.NoTLSResume:
		cfg.ClientSessionCache = nil // crypto/tls then offers no ticket and asks for none
	case cfg.ClientSessionCache == nil:
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(TLSSessionCacheSize)
	}
	if len(cfg.NextProtos) == 0 {
		// Offer HTTP/1.1 by ALPN, as curl does: a server that speaks only
		// HTTP/2 then refuses with "no application protocol", which says
		// what is wrong, instead of an internal error or a failed parse.
		cfg.NextProtos = []string{"http/1.1"}
	}
	return cfg
}

// Hostname returns the host part of a Host header value: no port, no
// brackets around an IPv6 address.
func Hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

// HandshakeKind classifies a failed TLS handshake on a connected socket:
// one that ran out of the connect timeout is a connect timeout; any other
// (a certificate not verified, a protocol error, the peer's reset or
// close) is a TLS handshake error. Both are failed connects.
func HandshakeKind(err error) stats.ErrorKind {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return stats.ErrConnectTimeout
	}
	return stats.ErrTLSHandshake
}
