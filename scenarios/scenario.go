// Package scenarios turns YAML scenario files, --set overrides and CLI
// flags into one validated Scenario, compiles it to an engine.Plan, and
// judges a run's summary against the scenario's thresholds and a baseline.
//
// The flow is Load (or a Scenario built from flags), Set for each override,
// Validate, then Compile. Load checks each value as it reads it and reports
// "file:line: key: message"; Validate checks the whole, read-only, after the
// overrides.
package scenarios

import (
	"maps"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/nowait/nowait/engine"
)

// The I/O modes a scenario can ask for.
const (
	ModeAsync     = "async"     // the epoll reactor (default)
	ModeSync      = "sync"      // one OS thread per connection
	ModeGoroutine = "goroutine" // fasthttp on Go's netpoller
)

// DefaultMode is the mode of a scenario that names none.
const DefaultMode = ModeAsync

// DefaultMaxRegression is the margin a baseline comparison allows when the
// scenario gives none: 10%.
const DefaultMaxRegression = 0.10

// MaxWeight is the largest weight a request of the mix can have. Weights
// are relative, so a million to one is as uneven as a mix needs to be;
// the engines lay a period of the mix out in memory, which larger weights
// would overflow.
const MaxWeight = 1_000_000

// Scenario is one load test: where, how hard, what to send, and what counts
// as a pass. The zero value of every field means its default (the engine's
// Default* constants), so cmd can build one from flags as well as Load can
// from a file.
type Scenario struct {
	Name       string    // for people and for the JUnit suite; default: the file's base name
	Target     string    // the URL, such as http://127.0.0.1:8080/
	Mode       string    // async, sync or goroutine; "" means async
	Load       LoadSpec  // the load model and its numbers
	Requests   []Request // a weighted mix; empty means one GET of the target URL
	Timeouts   Timeouts  // per request and per connect
	TLS        TLS       // https: how the server's certificate is checked
	Thresholds []string  // pass/fail expressions such as "p99 < 50ms"
	Outputs    Outputs   // what to write and print
	Baseline   Baseline  // a saved run to compare with
	File       string    // the file the scenario was loaded from, "" when built in code

	// origin maps a key ("load.rate", "requests[0].path") to where it was
	// written ("checkout.yaml:14" or "--set"), for Validate's messages.
	origin map[string]string
	// failed holds the keys whose value was refused as it was read or set
	// (and so kept its default), for Validate to say nothing more about.
	failed map[string]bool
}

// LoadSpec is how the requests are started and when the run stops.
type LoadSpec struct {
	Model       engine.Model  // closed, open or hold; "" means closed, or open when Rate or Stages are set
	Connections int           // connections to open; 0 means engine.DefaultConnections
	Rate        float64       // open model: requests per second in total
	Duration    time.Duration // how long to run; 0 means engine.DefaultDuration (or until Requests)
	Requests    int64         // stop after this many requests; 0 means no limit
	Warmup      time.Duration // run this long first, excluded from the stats
	Stages      []Stage       // a ramp of the rate (open, the default with stages) or the connections (model: closed)
	Loops       int           // event loops in async mode; 0 means the number of CPUs
	Pipeline    int           // requests in flight per connection; 0 means 1
	ConnectRate float64       // hold: connects per second; 0 means as fast as possible
	Every       time.Duration // hold: each connection sends one request this often; 0 means never
	SourceIPs   []netip.Addr  // local addresses to bind before connect, round robin
}

// Stage is one step of a ramp: over Duration, move linearly to Target.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// Request is one request of the mix.
type Request struct {
	Method   string   // "" means GET
	Path     string   // path and query, starting with "/"; "" means the target URL's
	Headers  []Header // in order
	Body     string   // the body; conflicts with BodyFile
	BodyFile string   // read the body from this file at Compile time; in a file, relative to the file's directory
	Weight   int      // relative weight in the mix, at most MaxWeight; 0 means 1
}

// Header is one request header.
type Header struct {
	Name, Value string
}

// Timeouts bound each request and each connect.
type Timeouts struct {
	Request time.Duration // 0 means engine.DefaultTimeout
	Connect time.Duration // 0 means engine.DefaultConnectTimeout
}

// TLS is how an https target's certificate is checked and whether its
// sessions are resumed; it changes nothing for an http target.
type TLS struct {
	Insecure bool   // accept any certificate (a test server's self-signed one), as curl -k
	CAFile   string // verify against the PEM certificates of this file instead of the system roots, as curl --cacert; in a file, relative to the file's directory
	NoResume bool   // tls.resume: false: every connect makes a full handshake, no session is resumed
}

// Outputs says what a run writes and prints besides the summary.
type Outputs struct {
	Dir     string // write summary.json, latency logs and charts here; relative to the working directory
	JSON    bool   // print the summary as JSON instead of text
	JUnit   string // write the threshold and baseline checks here as JUnit XML; relative to the working directory
	Latency bool   // print the full latency distribution
}

// Baseline is a saved run to compare with.
type Baseline struct {
	File          string  // a summary.json of an earlier run; relative to the working directory, as outputs.dir
	MaxRegression float64 // allowed regression as a fraction (0.10 is 10%); 0 means DefaultMaxRegression
}

// ModeOrDefault returns the scenario's mode, or DefaultMode.
func (s *Scenario) ModeOrDefault() string {
	if s.Mode == "" {
		return DefaultMode
	}
	return s.Mode
}

// ModelOrDefault returns the load model: the one named, else open when a
// rate or stages are given (stages ramp the rate, as --stages does with a
// URL), else closed.
func (s *Scenario) ModelOrDefault() engine.Model {
	if s.Load.Model == "" && (s.Load.Rate > 0 || len(s.Load.Stages) > 0) {
		return engine.ModelOpen
	}
	return s.Load.Model.OrDefault()
}

// NameOrDefault returns the scenario's name, or its file's base name
// without the extension, or "nowait".
func (s *Scenario) NameOrDefault() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.File != "":
		base := filepath.Base(s.File)
		return strings.TrimSuffix(base, filepath.Ext(base))
	}
	return "nowait"
}

// MaxRegressionOrDefault returns the allowed baseline regression as a
// fraction.
func (b Baseline) MaxRegressionOrDefault() float64 {
	if b.MaxRegression > 0 {
		return b.MaxRegression
	}
	return DefaultMaxRegression
}

// Where returns where key was written, as Validate's messages say it:
// "checkout.yaml:14", "--set", a flag such as "-o/--out", or the file's
// name (or "") when the key was not written.
func (s *Scenario) Where(key string) string { return s.where(key) }

// where returns where key was written, trying its parents ("requests[0]",
// "requests") when the key itself was not, then the file itself.
func (s *Scenario) where(key string) string {
	for k := key; k != ""; k = parentKey(k) {
		if o, ok := s.origin[k]; ok {
			return o
		}
	}
	return s.File
}

// setOrigin records where key was written, copying the map first so that
// copies of a Scenario never share later changes.
func (s *Scenario) setOrigin(key, origin string) {
	m := maps.Clone(s.origin)
	if m == nil {
		m = map[string]string{}
	}
	m[key] = origin
	s.origin = m
}

// keyFailed reports whether the value of key, or of a section or list it
// is in, was refused as it was read or set.
func (s *Scenario) keyFailed(key string) bool {
	for k := key; k != ""; k = parentKey(k) {
		if s.failed[k] {
			return true
		}
	}
	return false
}

// setFailed records whether key's value was refused, copying the map
// first as setOrigin does. A value set well clears key and every key
// under it: what was refused there has been replaced.
func (s *Scenario) setFailed(key string, failed bool) {
	if !failed && len(s.failed) == 0 {
		return
	}
	m := maps.Clone(s.failed)
	if m == nil {
		m = map[string]bool{}
	}
	if failed {
		m[key] = true
	} else {
		for k := range m {
			if k == key || strings.HasPrefix(k, key+".") || strings.HasPrefix(k, key+"[") {
				delete(m, k)
			}
		}
	}
	s.failed = m
}

// parentKey returns "requests[0]" for "requests[0].path", "requests" for
// "requests[0]", "" for "target".
func parentKey(k string) string {
	if i := strings.LastIndexAny(k, ".["); i > 0 {
		return k[:i]
	}
	return ""
}
