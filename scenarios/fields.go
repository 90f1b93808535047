package scenarios

import (
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/internal/errmsg"
)

// A leaf is one scalar key of a scenario. set parses text, stores the value
// and returns "" or a message saying what was expected. The YAML reader and
// Set share the leaves, so a value is judged the same way wherever it came
// from.
type leaf struct {
	want string // what a non-scalar value is told it should be
	set  func(s *Scenario, text string) string
}

// Phrases of what a value must be, shared by parsing and Validate.
const (
	wantPositiveInt = "an integer of at least 1"
	wantWeight      = "an integer from 1 to 1000000 (weights are relative)"
	wantPositiveNum = "a number above 0"
	wantNonNegNum   = "a number of at least 0"
	wantDuration    = `a duration above 0 such as "10s" or "500ms"`
	wantNonNegDur   = `a duration such as "5s" (or "0s")`
	wantBool        = "true or false"
	wantString      = "a string"
	wantURL         = "a URL such as http://127.0.0.1:8080/"
	wantMode        = "one of async, sync or goroutine"
	wantModel       = "one of closed, open or hold"
	wantMethod      = "an HTTP method such as GET or POST"
	wantPath        = `a path starting with "/", such as /items?id=1`
	wantPercent     = "a percentage above 0 such as 10%"
	wantHeader      = `a header as "Name: value"`
	wantIP          = "an IP address or a range, such as 127.0.0.2 or 127.0.0.2-127.0.0.9"
)

// leaves are the scalar keys outside the lists, by their dotted key.
var leaves = map[string]leaf{
	"name":   {wantString, func(s *Scenario, t string) string { s.Name = t; return "" }},
	"target": {wantURL, func(s *Scenario, t string) string { s.Target = t; return checkURL(t) }},
	"mode": {wantMode, func(s *Scenario, t string) string {
		s.Mode = t
		return checkEnum(t, wantMode, ModeAsync, ModeSync, ModeGoroutine)
	}},
	"load.model": {wantModel, func(s *Scenario, t string) string {
		s.Load.Model = engine.Model(t)
		return checkEnum(t, wantModel, string(engine.ModelClosed), string(engine.ModelOpen), string(engine.ModelHold))
	}},
	"load.connections": intLeaf(func(s *Scenario) *int { return &s.Load.Connections }),
	"load.rate":        numLeaf(func(s *Scenario) *float64 { return &s.Load.Rate }),
	"load.duration":    durLeaf(wantDuration, func(s *Scenario) *time.Duration { return &s.Load.Duration }),
	"load.requests": {wantPositiveInt, func(s *Scenario, t string) string {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 1 {
			return mustBe(wantPositiveInt, t)
		}
		s.Load.Requests = n
		return ""
	}},
	"load.warmup":       durLeaf(wantNonNegDur, func(s *Scenario) *time.Duration { return &s.Load.Warmup }),
	"load.loops":        intLeaf(func(s *Scenario) *int { return &s.Load.Loops }),
	"load.pipeline":     intLeaf(func(s *Scenario) *int { return &s.Load.Pipeline }),
	"load.connect_rate": numLeaf(func(s *Scenario) *float64 { return &s.Load.ConnectRate }),
	"load.every":        durLeaf(wantDuration, func(s *Scenario) *time.Duration { return &s.Load.Every }),
	"timeouts.request":  durLeaf(wantDuration, func(s *Scenario) *time.Duration { return &s.Timeouts.Request }),
	"timeouts.connect":  durLeaf(wantDuration, func(s *Scenario) *time.Duration { return &s.Timeouts.Connect }),
	"tls.insecure":      boolLeaf(func(s *Scenario) *bool { return &s.TLS.Insecure }),
	"tls.ca_file":       fileLeaf(func(s *Scenario) *string { return &s.TLS.CAFile }),
	"tls.resume":        notLeaf(func(s *Scenario) *bool { return &s.TLS.NoResume }),
	"outputs.dir":       strLeaf(func(s *Scenario) *string { return &s.Outputs.Dir }),
	"outputs.junit":     strLeaf(func(s *Scenario) *string { return &s.Outputs.JUnit }),
	"outputs.json":      boolLeaf(func(s *Scenario) *bool { return &s.Outputs.JSON }),
	"outputs.latency":   boolLeaf(func(s *Scenario) *bool { return &s.Outputs.Latency }),
	"baseline.file":     strLeaf(func(s *Scenario) *string { return &s.Baseline.File }),
	"baseline.max_regression": {wantPercent, func(s *Scenario, t string) string {
		f, err := ParsePercent(t)
		if err != nil {
			return err.Error()
		}
		s.Baseline.MaxRegression = f
		return ""
	}},
}

// Keys of each mapping, in the order they are documented; unknown keys are
// matched against these for a suggestion.
var (
	topKeys      = []string{"name", "target", "mode", "load", "requests", "timeouts", "tls", "thresholds", "outputs", "baseline"}
	loadKeys     = []string{"model", "connections", "rate", "duration", "requests", "warmup", "stages", "loops", "pipeline", "connect_rate", "every", "source_ips"}
	requestKeys  = []string{"method", "path", "headers", "body", "body_file", "weight"}
	stageKeys    = []string{"duration", "target"}
	timeoutKeys  = []string{"request", "connect"}
	tlsKeys      = []string{"insecure", "ca_file", "resume"}
	outputKeys   = []string{"dir", "json", "junit", "latency"}
	baselineKeys = []string{"file", "max_regression"}
)

// requestLeaves are the scalar keys of one request. dir is the directory a
// relative body_file is resolved against ("" for the working directory).
var requestLeaves = map[string]func(r *Request, t, dir string) string{
	"method": func(r *Request, t, _ string) string {
		r.Method = strings.ToUpper(t)
		return checkMethod(t)
	},
	"path": func(r *Request, t, _ string) string { r.Path = t; return checkPath(t) },
	"body": func(r *Request, t, _ string) string { r.Body = t; return "" },
	"body_file": func(r *Request, t, dir string) string {
		if t == "" {
			return mustBe("a file name", t)
		}
		r.BodyFile = resolvePath(dir, t)
		return ""
	},
	"weight": func(r *Request, t, _ string) string {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > MaxWeight {
			return mustBe(wantWeight, t)
		}
		r.Weight = n
		return ""
	},
}

// stageLeaves are the keys of one stage.
var stageLeaves = map[string]func(st *Stage, t string) string{
	"duration": func(st *Stage, t string) string {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return mustBe(wantDuration, t)
		}
		st.Duration = d
		return ""
	},
	"target": func(st *Stage, t string) string {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || f < 0 || isNaNOrInf(f) {
			return mustBe(wantNonNegNum, t)
		}
		st.Target = f
		return ""
	},
}

func intLeaf(p func(*Scenario) *int) leaf {
	return leaf{wantPositiveInt, func(s *Scenario, t string) string {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			return mustBe(wantPositiveInt, t)
		}
		*p(s) = n
		return ""
	}}
}

func numLeaf(p func(*Scenario) *float64) leaf {
	return leaf{wantPositiveNum, func(s *Scenario, t string) string {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || f <= 0 || isNaNOrInf(f) {
			return mustBe(wantPositiveNum, t)
		}
		*p(s) = f
		return ""
	}}
}

func durLeaf(want string, p func(*Scenario) *time.Duration) leaf {
	return leaf{want, func(s *Scenario, t string) string {
		d, err := time.ParseDuration(t)
		if err != nil || d < 0 || (d == 0 && want == wantDuration) {
			return mustBe(want, t)
		}
		*p(s) = d
		return ""
	}}
}

func strLeaf(p func(*Scenario) *string) leaf {
	return leaf{wantString, func(s *Scenario, t string) string { *p(s) = t; return "" }}
}

// fileLeaf is a leaf naming a file, which cannot be empty.
func fileLeaf(p func(*Scenario) *string) leaf {
	return leaf{wantString, func(s *Scenario, t string) string {
		if t == "" {
			return mustBe("a file name", t)
		}
		*p(s) = t
		return ""
	}}
}

func boolLeaf(p func(*Scenario) *bool) leaf {
	return leaf{wantBool, func(s *Scenario, t string) string {
		switch t {
		case "true":
			*p(s) = true
		case "false":
			*p(s) = false
		default:
			return mustBe(wantBool, t)
		}
		return ""
	}}
}

// notLeaf is a boolean key whose default is true: the Scenario keeps its
// opposite, so that its zero value is the default, as every field's.
func notLeaf(p func(*Scenario) *bool) leaf {
	return leaf{wantBool, func(s *Scenario, t string) string {
		var v bool
		if msg := boolLeaf(func(*Scenario) *bool { return &v }).set(s, t); msg != "" {
			return msg
		}
		*p(s) = !v
		return ""
	}}
}

// mustBe says what a value must be and what it was.
func mustBe(want, got string) string { return "must be " + want + ", got " + show(got) }

// show formats a value for a message: numbers bare, anything else quoted.
func show(t string) string {
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return t
	}
	return strconv.Quote(t)
}

func isNaNOrInf(f float64) bool { return f != f || f > 1e308 || f < -1e308 }

func checkEnum(t, want string, options ...string) string {
	for _, o := range options {
		if t == o {
			return ""
		}
	}
	return mustBe(want, t)
}

// checkURL checks that t is an http or https URL with a host and a valid
// port. Whether the mode can do TLS is Validate's business.
func checkURL(t string) string {
	shown := RedactURL(t) // quoted: never the password
	if t == "" {
		return mustBe(wantURL, shown)
	}
	if !strings.Contains(t, "://") {
		if typo := SchemeTypo(t); typo != "" {
			return typo
		}
		return fmt.Sprintf("%q has no scheme; want %s", shown, wantURL)
	}
	u, err := url.Parse(t)
	if err != nil {
		return mustBe(wantURL, shown)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return fmt.Sprintf("%q has no scheme; want %s", shown, wantURL)
	default:
		return fmt.Sprintf("unsupported scheme %q in %q; nowait speaks http and https", u.Scheme, shown)
	}
	if u.Hostname() == "" {
		return fmt.Sprintf("%q has no host; want %s", shown, wantURL)
	}
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Sprintf("%q has an empty port after the colon; give one such as :8080, or leave the colon out for the scheme's default", shown)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("port %q in %q is out of range; want 1 to 65535", p, shown)
		}
	}
	return ""
}

// checkMethod accepts an HTTP token: letters, digits and a few symbols.
func checkMethod(t string) string {
	if t == "" {
		return mustBe(wantMethod, t)
	}
	for _, c := range t {
		if !isTokenChar(c) {
			return mustBe(wantMethod, t)
		}
	}
	return ""
}

func isTokenChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.ContainsRune("!#$%&'*+-.^_`|~", c)
}

// checkPath accepts "" (the target URL's path) or an origin-form URI.
func checkPath(t string) string {
	if t != "" && (!strings.HasPrefix(t, "/") || strings.ContainsAny(t, " \t\r\n")) {
		return mustBe(wantPath, t)
	}
	return ""
}

// checkHeader checks a header name and value for the wire.
func checkHeader(h Header) string {
	if h.Name == "" {
		return "header name is empty; want " + wantHeader
	}
	for _, c := range h.Name {
		if !isTokenChar(c) {
			return fmt.Sprintf("header name %q is not valid; want %s", h.Name, wantHeader)
		}
	}
	if strings.ContainsAny(h.Value, "\r\n") {
		return fmt.Sprintf("header %q: values cannot contain line breaks", h.Name)
	}
	return ""
}

// parseHeaderLine parses "Name: value".
func parseHeaderLine(t string) (Header, string) {
	name, value, ok := strings.Cut(t, ":")
	h := Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)}
	if !ok {
		return h, mustBe(wantHeader, t)
	}
	return h, checkHeader(h)
}

// maxSourceIPs caps a source-address range: 65,536 addresses of 28,000
// ephemeral ports each is far past any open-file limit.
const maxSourceIPs = 1 << 16

// parseIPs parses one IP address or an inclusive range "FIRST-LAST" of
// the same family.
func parseIPs(t string) ([]netip.Addr, string) {
	t = strings.TrimSpace(t)
	first, last, isRange := strings.Cut(t, "-")
	lo, err := netip.ParseAddr(strings.TrimSpace(first))
	if err != nil {
		return nil, mustBe(wantIP, t)
	}
	if !isRange {
		return []netip.Addr{lo}, ""
	}
	hi, err := netip.ParseAddr(strings.TrimSpace(last))
	if err != nil || hi.Is4() != lo.Is4() || hi.Less(lo) {
		return nil, mustBe(wantIP+" (a range goes from a lower to a higher address of one family)", t)
	}
	var out []netip.Addr
	for a := lo; ; a = a.Next() {
		if len(out) == maxSourceIPs {
			return nil, fmt.Sprintf("%q holds more than %s addresses; give a smaller range", t, groupDigits(maxSourceIPs))
		}
		out = append(out, a)
		if a == hi {
			return out, ""
		}
	}
}

// ParseSourceIPs parses a comma-separated list of IP addresses and
// ranges, such as "127.0.0.2-127.0.0.9,127.0.1.1", as --source-ips takes.
func ParseSourceIPs(v string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, t := range splitList(v) {
		ips, msg := parseIPs(t)
		if msg != "" {
			return nil, errmsg.New(msg, ErrInvalid)
		}
		out = append(out, ips...)
	}
	if len(out) == 0 {
		return nil, errmsg.New(mustBe("a list of "+wantIP, v), ErrInvalid)
	}
	return out, nil
}

// ParsePercent parses a percentage above 0 written with its sign: "10%"
// is 0.10. A bare number is refused as ambiguous ("0.1" might mean 0.1%
// or 10%, "10" 10% or 1000%), and 0% as it would allow nothing at all.
func ParsePercent(t string) (float64, error) {
	t = strings.TrimSpace(t)
	num, pct := strings.CutSuffix(t, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	switch {
	case err == nil && !pct && f >= 0:
		return 0, errmsg.New(mustBe(wantPercent, t)+fmt.Sprintf("; write the %% sign (%s%% or %s%%?)", num, strconv.FormatFloat(f*100, 'f', -1, 64)), ErrInvalid)
	case err != nil || !pct || f <= 0 || isNaNOrInf(f):
		return 0, errmsg.New(mustBe(wantPercent, t), ErrInvalid)
	}
	return f / 100, nil
}

// resolvePath joins a relative path to dir.
func resolvePath(dir, p string) string {
	if dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
