package engine

import (
	"crypto/x509"
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/nowait/nowait/stats"
)

// Defaults of a Plan; the CLI flags reuse them.
const (
	DefaultConnections    = 50
	DefaultDuration       = 10 * time.Second
	DefaultPipeline       = 1
	DefaultTimeout        = 10 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultMaxHeaderBytes = 16 << 10
)

// Model is a load model: how requests are started.
type Model string

// The load models.
const (
	ModelClosed Model = "closed" // each connection sends its next request when a response arrives
	ModelOpen   Model = "open"   // requests are due at a fixed rate, whatever the responses do
	ModelHold   Model = "hold"   // connections are opened and held, with optional sparse requests
)

// OrDefault returns m, or ModelClosed when m is empty.
func (m Model) OrDefault() Model {
	if m == "" {
		return ModelClosed
	}
	return m
}

// Header is one request header.
type Header struct {
	Name, Value string
}

// Request is one request of a plan, described and pre-encoded.
type Request struct {
	Method  string   // GET, POST, HEAD, ...
	URI     string   // path and query, as sent on the request line
	Host    string   // the Host header
	Headers []Header // extra headers, in order
	Body    []byte   // the body, possibly empty
	Weight  int      // relative weight in a mix; 0 means 1
	Raw     []byte   // the whole request as written on the wire (see wire.EncodeRequest)
}

// Head reports whether responses to this request carry no body.
func (r *Request) Head() bool { return r.Method == "HEAD" }

// Stage is one step of a ramp: over Duration, move linearly to Target
// (requests per second in the open model, connections in the closed one).
type Stage struct {
	Duration time.Duration
	Target   float64
}

// Plan is everything a run needs, resolved and pre-encoded, shared by every
// mode. The zero value of each field means its default.
type Plan struct {
	Target   string           // the URL, for people
	Scheme   string           // "http" or "https"
	Addrs    []netip.AddrPort // resolved target addresses; connections are spread over them
	Requests []Request        // at least one

	Model          Model
	Connections    int           // connections to open (closed, open, hold); see CapConnections
	Loops          int           // event loops (async mode); 0 means the number of CPUs
	Pipeline       int           // requests in flight per connection; 0 means 1
	Duration       time.Duration // how long to run; 0 with MaxRequests means until done
	MaxRequests    int64         // stop after this many requests; 0 means no limit
	Warmup         time.Duration // run this long first, excluded from the stats
	Timeout        time.Duration // per request; 0 means DefaultTimeout
	ConnectTimeout time.Duration // per connect; 0 means DefaultConnectTimeout
	MaxHeaderBytes int           // cap on a response header; 0 means DefaultMaxHeaderBytes

	// ConnectionsAsked is the connection count asked for when
	// CapConnections lowered Connections to the request count; 0 when it
	// did not.
	ConnectionsAsked int

	RatePerSec  float64       // open model: requests per second in total
	Stages      []Stage       // ramp of the rate (open) or the connections (closed)
	ConnectRate float64       // hold: connects per second; 0 means as fast as possible
	HoldEvery   time.Duration // hold: each connection sends one request this often; 0 means never
	SourceAddrs []netip.Addr  // local addresses to bind before connect, round robin

	// InsecureSkipVerify makes https connections accept any certificate
	// the server shows (a test server's self-signed one), as curl -k
	// does; the server name sent (SNI) is still the URL's host. It
	// changes nothing for http.
	InsecureSkipVerify bool
	// RootCAs, when set, are the only certificates an https server's
	// certificate is verified against, instead of the system roots (as
	// curl --cacert): a test server's own self-signed certificate, say.
	RootCAs *x509.CertPool
	// NoTLSResume makes every https connection a full handshake: no
	// session is kept to resume (as before nowait resumed them), for
	// measuring what full handshakes cost a server. The zero value
	// resumes, as browsers, k6 and oha do.
	NoTLSResume bool

	// Live, when set, receives each closed interval (and open-connection
	// changes at most once an interval) for the live progress line.
	Live *stats.Live
}

// LoopsOrDefault returns the number of event loops to run.
func (p *Plan) LoopsOrDefault() int {
	n := p.Loops
	if n <= 0 {
		n = runtime.NumCPU()
	}
	if p.Connections > 0 && n > p.Connections {
		n = p.Connections
	}
	return max(n, 1)
}

// CapConnections lowers the connections of a counted closed- or open-model run
// (MaxRequests, without a warm-up) to its request count, as hey and oha
// do: -n 5 -c 50 opens at most 5 connections, since a connection beyond
// the count would have no request to send. The rule is min(connections,
// requests) whatever the pipelining depth, so that -c keeps its meaning
// whenever the count can use it. It keeps the count asked for in
// ConnectionsAsked. A warm-up sends requests beyond the count on every
// connection asked for, so a plan with one keeps them; so does a plan
// with stages (a ramp of connections, which the CLI does not take with a
// count) and a hold plan. An open-model plan is capped too: with one
// connection per request, no request of the count waits for a connection.
// Calling it again changes nothing.
func (p *Plan) CapConnections() {
	if p.Model.OrDefault() == ModelHold || p.MaxRequests <= 0 || p.Warmup > 0 || len(p.Stages) > 0 {
		return
	}
	if int64(p.Connections) > p.MaxRequests {
		p.ConnectionsAsked = p.Connections
		p.Connections = int(p.MaxRequests)
	}
}

// AllOpenConns returns how many connections open at once make "all
// open" (Result.EstablishedIn): the plan's connections, or in a
// closed-model ramp the most its stages ask for (-c included), the
// ramp's peak, whether the run reaches it or not.
func (p *Plan) AllOpenConns() int {
	if p.Model.OrDefault() == ModelClosed && len(p.Stages) > 0 {
		return NewConnRamp(p.Connections, p.Stages).Max()
	}
	return p.Connections
}

// PipelineOrDefault returns the pipelining depth.
func (p *Plan) PipelineOrDefault() int { return max(p.Pipeline, DefaultPipeline) }

// TimeoutOrDefault returns the per-request timeout.
func (p *Plan) TimeoutOrDefault() time.Duration { return orDuration(p.Timeout, DefaultTimeout) }

// ConnectTimeoutOrDefault returns the connect timeout.
func (p *Plan) ConnectTimeoutOrDefault() time.Duration {
	return orDuration(p.ConnectTimeout, DefaultConnectTimeout)
}

// MaxHeaderBytesOrDefault returns the response header cap.
func (p *Plan) MaxHeaderBytesOrDefault() int {
	if p.MaxHeaderBytes > 0 {
		return p.MaxHeaderBytes
	}
	return DefaultMaxHeaderBytes
}

// DurationOrDefault returns how long the measured run lasts, or 0 when it
// ends only by its request count.
func (p *Plan) DurationOrDefault() time.Duration {
	if p.Duration > 0 {
		return p.Duration
	}
	if len(p.Stages) > 0 {
		var d time.Duration
		for _, s := range p.Stages {
			d += s.Duration
		}
		return d
	}
	if p.MaxRequests > 0 {
		return 0
	}
	return DefaultDuration
}

// EndNs returns when the planned run ends on the run clock (warm-up plus
// duration), or 0 when it ends only by its request count.
func (p *Plan) EndNs() int64 {
	if d := p.DurationOrDefault(); d > 0 {
		return int64(p.Warmup + d)
	}
	return 0
}

// ClampEnd returns endNs, or the planned end when that came first: a run
// that noticed its end a little late (a loaded machine) still measures,
// sends and drops up to the planned end and no further, in every mode.
func (p *Plan) ClampEnd(endNs int64) int64 {
	if e := p.EndNs(); e > 0 {
		return min(endNs, e)
	}
	return endNs
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Validate checks the plan without changing it.
func (p *Plan) Validate() error {
	switch {
	case len(p.Addrs) == 0:
		return fmt.Errorf("%w: no target address", ErrInvalidPlan)
	case len(p.Requests) == 0:
		return fmt.Errorf("%w: no request to send", ErrInvalidPlan)
	case p.Connections <= 0:
		return fmt.Errorf("%w: connections must be at least 1, got %d", ErrInvalidPlan, p.Connections)
	case p.Pipeline < 0:
		return fmt.Errorf("%w: pipeline must be at least 1, got %d", ErrInvalidPlan, p.Pipeline)
	case p.Duration < 0 || p.Warmup < 0 || p.Timeout < 0 || p.ConnectTimeout < 0:
		return fmt.Errorf("%w: durations must not be negative", ErrInvalidPlan)
	case p.MaxRequests < 0:
		return fmt.Errorf("%w: request count must not be negative, got %d", ErrInvalidPlan, p.MaxRequests)
	case p.RatePerSec < 0:
		return fmt.Errorf("%w: rate must not be negative, got %g", ErrInvalidPlan, p.RatePerSec)
	case p.Model.OrDefault() == ModelOpen && p.RatePerSec == 0 && len(p.Stages) == 0:
		return fmt.Errorf("%w: the open model needs a rate", ErrInvalidPlan)
	}
	for i := range p.Requests {
		if len(p.Requests[i].Raw) == 0 {
			return fmt.Errorf("%w: request %d is not encoded", ErrInvalidPlan, i)
		}
	}
	return nil
}

// WarmupRan returns how much of the plan's warm-up ran in a run that
// ended at endNs (run clock): all of it, or what ran of it when the run
// was stopped (Ctrl-C) in its warm-up.
func (p *Plan) WarmupRan(endNs int64) time.Duration {
	return time.Duration(min(int64(p.Warmup), max(endNs, 0)))
}
