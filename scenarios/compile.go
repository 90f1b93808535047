package scenarios

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/wire"
	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Compile validates the scenario, resolves its host with the system
// resolver, reads the body files and the tls.ca_file and pre-encodes
// every request: the Plan an engine runs.
func (s *Scenario) Compile(ctx context.Context) (*engine.Plan, error) {
	return s.CompileWith(ctx, net.DefaultResolver)
}

// CompileWith is Compile with a given resolver.
func (s *Scenario) CompileWith(ctx context.Context, r Resolver) (*engine.Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	u, err := url.Parse(s.Target)
	if err != nil { // cannot happen after Validate
		return nil, &Error{Origin: s.where("target"), Key: "target", Msg: err.Error()}
	}
	addrs, err := resolve(ctx, r, u)
	if err != nil {
		return nil, err
	}
	if err := s.checkSourceFamily(addrs); err != nil {
		return nil, err
	}
	reqs, err := s.encodeRequests(u)
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if s.TLS.CAFile != "" {
		var msg string
		if roots, msg = loadCAFile(s.TLS.CAFile); msg != "" { // changed since Validate
			return nil, &Error{Origin: s.where("tls.ca_file"), Key: "tls.ca_file", Msg: msg}
		}
	}
	plan := s.PlanShape()
	plan.Target = RedactURL(u.String()) // printed and saved: never the password
	plan.Scheme = u.Scheme
	plan.Addrs = addrs
	plan.Requests = reqs
	plan.RootCAs = roots
	return plan, nil
}

// PlanShape returns the Plan of the scenario without what compiling adds
// (the target and its resolved address, the encoded requests, the
// certificates to trust): the load model, connections, stages, limits,
// timeouts and source addresses. It is what the run needs of the host
// (file descriptors, ports, source addresses), which can be checked
// before the host is resolved or the files are read. It does not
// validate.
func (s *Scenario) PlanShape() *engine.Plan {
	l := &s.Load
	plan := &engine.Plan{
		Model:          s.ModelOrDefault(),
		Connections:    l.Connections,
		Loops:          l.Loops,
		Pipeline:       l.Pipeline,
		Duration:       l.Duration,
		MaxRequests:    l.Requests,
		Warmup:         l.Warmup,
		Timeout:        s.Timeouts.Request,
		ConnectTimeout: s.Timeouts.Connect,
		RatePerSec:     l.Rate,
		ConnectRate:    l.ConnectRate,
		HoldEvery:      l.Every,
		SourceAddrs:    append([]netip.Addr(nil), l.SourceIPs...),

		InsecureSkipVerify: s.TLS.Insecure,
		NoTLSResume:        s.TLS.NoResume,
	}
	if plan.Connections == 0 {
		plan.Connections = engine.DefaultConnections
	}
	for _, st := range l.Stages {
		plan.Stages = append(plan.Stages, engine.Stage{Duration: st.Duration, Target: st.Target})
	}
	// Here, not only in engine.Execute, so that what is said and checked
	// before the run (the connections, the file limit) is what runs.
	plan.CapConnections()
	return plan
}

// checkSourceFamily refuses source addresses of another family than every
// target address: an IPv4 socket cannot connect to an IPv6 target.
func (s *Scenario) checkSourceFamily(addrs []netip.AddrPort) error {
	for _, src := range s.Load.SourceIPs {
		ok := false
		for _, a := range addrs {
			ok = ok || a.Addr().Unmap().Is4() == src.Unmap().Is4()
		}
		if !ok {
			return &Error{Origin: s.where("load.source_ips"), Key: "load.source_ips",
				Msg: fmt.Sprintf("source address %s is not of the target's family (%s); give addresses of the same family", src, addrs[0].Addr())}
		}
	}
	return nil
}

// encodeRequests reads the body files and encodes each request once. The
// URL's user information becomes a Basic Authorization header, unless
// the request has an Authorization header of its own.
func (s *Scenario) encodeRequests(u *url.URL) ([]engine.Request, error) {
	auth := basicAuth(u)
	src := s.Requests
	if len(src) == 0 {
		src = []Request{{}}
	}
	out := make([]engine.Request, 0, len(src))
	for i, r := range src {
		body := []byte(r.Body)
		if r.BodyFile != "" {
			b, err := os.ReadFile(r.BodyFile)
			if err != nil {
				key := "requests[" + strconv.Itoa(i) + "].body_file"
				e := &Error{Origin: s.where(key), Key: key, Msg: fmt.Sprintf("cannot read %s: %v", r.BodyFile, stats.PathErrCause(err))}
				return nil, errmsg.New(e.Error(), ErrBodyFile)
			}
			body = b
		}
		method := r.Method
		if method == "" {
			method = "GET"
		}
		uri := r.Path
		if uri == "" {
			uri = u.RequestURI()
		}
		req := engine.Request{Method: method, URI: uri, Host: u.Host, Body: body, Weight: max(r.Weight, 1)}
		wh := make([]wire.Header, 0, len(r.Headers))
		headers := r.Headers
		if auth != "" && !hasHeader(headers, "Authorization") {
			headers = append(headers[:len(headers):len(headers)], Header{Name: "Authorization", Value: auth})
		}
		for _, h := range headers {
			req.Headers = append(req.Headers, engine.Header{Name: h.Name, Value: h.Value})
			wh = append(wh, wire.Header{Name: h.Name, Value: h.Value})
		}
		req.Raw = wire.EncodeRequest(method, uri, req.Host, wh, body)
		out = append(out, req)
	}
	return out, nil
}

// resolve looks up the URL's host and returns one address with the port:
// of several, the first that accepts a connection (see accepting).
func resolve(ctx context.Context, r Resolver, u *url.URL) ([]netip.AddrPort, error) {
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p) // checked by Validate
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := r.LookupNetIP(ctx, "ip", host)
		if lerr != nil || len(ips) == 0 {
			return nil, errmsg.New(fmt.Sprintf("cannot resolve host %q: %s", host, resolveReason(lerr)), ErrResolve)
		}
		ip = accepting(ctx, withLoopbacks(host, ips), uint16(port))
	}
	return []netip.AddrPort{netip.AddrPortFrom(ip.Unmap(), uint16(port))}, nil
}

// withLoopbacks adds to the addresses of "localhost" (or a name under
// .localhost, RFC 6761) the loopback addresses the system's lookup left
// out, as curl does: /etc/hosts often maps it to 127.0.0.1 alone, and a
// server may listen on ::1 alone.
func withLoopbacks(host string, ips []netip.Addr) []netip.Addr {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h != "localhost" && !strings.HasSuffix(h, ".localhost") {
		return ips
	}
	for _, lb := range []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()} {
		if !slices.ContainsFunc(ips, func(a netip.Addr) bool { return a.Unmap() == lb }) {
			ips = append(ips, lb)
		}
	}
	return ips
}

// probeTimeout bounds each connect of accepting.
const probeTimeout = time.Second

// accepting returns the first of ips that accepts a TCP connection on
// port, which it closes at once, or the first of ips when none does (the
// run then counts the refusals). "localhost" resolves to 127.0.0.1 and
// ::1, and a server may listen on one of them only; wrk and curl try each
// address in turn the same way. One address is returned without a probe.
func accepting(ctx context.Context, ips []netip.Addr, port uint16) netip.Addr {
	if len(ips) == 1 {
		return ips[0]
	}
	var d net.Dialer
	for _, ip := range ips {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		c, err := d.DialContext(pctx, "tcp", netip.AddrPortFrom(ip.Unmap(), port).String())
		cancel()
		if err == nil {
			_ = c.Close()
			return ip
		}
	}
	return ips[0]
}

func resolveReason(err error) string {
	var de *net.DNSError
	switch {
	case err == nil:
		return "no addresses"
	case errors.As(err, &de):
		return de.Err
	}
	return err.Error()
}
