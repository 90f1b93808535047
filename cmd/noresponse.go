package cmd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/stats"
)

// answeredNothing reports whether a run sent requests (in its warm-up or
// after) and not one response arrived: it measured nothing. A hold run
// without --every sends no request and is never such a run.
func answeredNothing(res *stats.Result) bool {
	return res.Requests+res.WarmupCounters.Requests > 0 && res.Responses == 0 && res.WarmupCounters.Responses == 0
}

// noResponseError is the one line of a run that sent requests and got no
// response: what became of the requests, and the fix when plain http went
// to a TLS server.
func noResponseError(res *stats.Result) error {
	all := allCounters(res)
	var fates []string
	if all.ErrorTotal() > 0 {
		fates = append(fates, fmtErrorKinds(errorsByName(all)))
	}
	if res.InFlightAtEnd > 0 {
		fates = append(fates, fmtCount(res.InFlightAtEnd)+" in flight at the end")
	}
	msg := fmt.Sprintf("no response arrived from %s: %s sent", targetHost(res.Target), stats.Count(all.Requests, "request"))
	if len(fates) > 0 {
		msg += " (" + strings.Join(fates, "; ") + ")"
	}
	if res.HTTPToTLS {
		msg += "; " + tlsHint(res.Target)
	}
	return errors.New(msg)
}

// allCounters returns the counts of the measured part and the warm-up.
func allCounters(res *stats.Result) stats.Counters {
	all := res.Counters
	all.Add(&res.WarmupCounters)
	return all
}

// errorsByName returns the errors of c by kind name, those counted only.
func errorsByName(c stats.Counters) map[string]uint64 {
	m := map[string]uint64{}
	for k, n := range c.Errors {
		if n > 0 {
			m[stats.ErrorKind(k).String()] = n
		}
	}
	return m
}

// tlsHint says that plain http went to a TLS server, and the URL to use.
func tlsHint(target string) string {
	if rest, ok := strings.CutPrefix(target, "http://"); ok {
		return "the server answered with TLS: use https://" + rest
	}
	return "the server answered with TLS: use https://"
}

// tlsProbeTimeout bounds the TLS handshake that probeTLS tries.
const tlsProbeTimeout = time.Second

// closedOnUs reports whether every failure of a run that got no response
// was the server ending the connection (a read error or a reset), as a
// TLS server does to plain http without a word (Go's crypto/tls sends no
// alert).
func closedOnUs(res *stats.Result) bool {
	c := allCounters(res)
	for k, n := range c.Errors {
		kind := stats.ErrorKind(k)
		if n > 0 && kind != stats.ErrRead && kind != stats.ErrReset {
			return false
		}
	}
	return c.Errors[stats.ErrRead]+c.Errors[stats.ErrReset] > 0
}

// probeTLS tells, after a plain http run that got no response because
// the server closed every connection on it, whether the server speaks
// TLS: one connection and one TLS handshake (any certificate accepted,
// nothing sent after it), as a run's target address is probed before it.
// It reports true when the server answered the handshake.
func probeTLS(ctx context.Context, plan *engine.Plan, res *stats.Result) bool {
	if plan.Scheme != "http" || len(plan.Addrs) == 0 || res.HTTPToTLS || res.Interrupted || ctx.Err() != nil ||
		!answeredNothing(res) || !closedOnUs(res) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, tlsProbeTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", plan.Addrs[0].String())
	if err != nil {
		return false
	}
	defer conn.Close()
	host, _, _ := net.SplitHostPort(targetHost(res.Target))
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, ServerName: host}) //nolint:gosec // a probe: nothing is sent over it
	err = tc.HandshakeContext(ctx)
	var alert tls.AlertError
	return err == nil || errors.As(err, &alert)
}
