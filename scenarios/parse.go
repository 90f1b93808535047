package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/nowait/nowait/internal/errmsg"
	"github.com/nowait/nowait/stats"
)

// maxErrors bounds how many problems one file lists as it is read; a last
// line says how many more there were.
const maxErrors = 20

// Load reads a scenario file. Each value is checked as it is read; every
// problem is reported as "path:line: key: message", several joined with
// newlines. A relative body_file is resolved against the file's directory.
// Load does not Validate: apply the --set overrides first.
//
// When the file is a mapping of keys but some values are wrong, Load
// returns the error and the scenario as read, the wrong values left at
// their defaults, so that the overrides and Validate can report the
// file's other problems in the same pass; such a scenario must not be
// run. When the file cannot be read as a mapping, the scenario is nil.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot read scenario %s: %v", path, stats.PathErrCause(err)), ErrInvalid)
	}
	return parse(path, filepath.Dir(path), data)
}

// Parse reads a scenario from data; name is used in messages and as the
// scenario's File. A relative body_file or tls.ca_file stays relative to
// the working directory. It returns what Load returns.
func Parse(name string, data []byte) (*Scenario, error) {
	return parse(name, "", data)
}

// reader walks the YAML tree of one file into a Scenario.
type reader struct {
	file   string
	dir    string
	s      *Scenario
	origin map[string]string
	failed map[string]bool // keys whose value was refused
	errs   []error
	// unlisted counts the problems past the first maxErrors.
	unlisted int
	anchors  map[string]ast.Node

	mergeDepth  int  // merges being expanded now
	merges      int  // merges expanded in all
	mergeFailed bool // the bound was hit and reported
}

// maxMergeDepth bounds nested merge keys, which aliases can make cyclic.
// maxMerges bounds them in all, against a "billion laughs" of aliases.
const (
	maxMergeDepth = 8
	maxMerges     = 1000
)

func parse(name, dir string, data []byte) (*Scenario, error) {
	r := &reader{file: name, dir: dir, s: &Scenario{File: name}, origin: map[string]string{}, failed: map[string]bool{}, anchors: map[string]ast.Node{}}
	// Editors on Windows start UTF-8 files with a byte order mark; YAML
	// allows it, and it is no part of the first key.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if err := checkText(name, data); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, r.syntaxError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, &Error{Origin: name, Msg: "the file is empty; want a mapping with at least a target"}
	case len(docs) > 1:
		return nil, &Error{Origin: r.at(docs[1].Body), Msg: "only one YAML document per scenario file"}
	}
	ast.Walk(anchorCollector(r.anchors), docs[0].Body)
	r.top(r.unwrap(docs[0].Body))
	r.s.TLS.CAFile = resolvePath(r.dir, r.s.TLS.CAFile) // as body_file: relative to the file
	r.s.origin = r.origin
	if len(r.errs) == 0 {
		return r.s, nil
	}
	if r.unlisted > 0 {
		r.errs = append(r.errs, &moreProblems{file: r.file, n: r.unlisted})
	}
	if r.failed[""] {
		return nil, errors.Join(r.errs...) // not a mapping of keys: nothing to check further
	}
	r.s.failed = r.failed
	return r.s, errors.Join(r.errs...)
}

// checkText refuses a file that is not UTF-8 text (a binary file, or one
// in another encoding) with its first bad byte, quoted, and its line.
func checkText(name string, data []byte) error {
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c == 0 || (c == utf8.RuneError && size <= 1) {
			line := 1 + bytes.Count(data[:i], []byte("\n"))
			return &Error{Origin: fmt.Sprintf("%s:%d", name, line),
				Msg: fmt.Sprintf("byte 0x%02x at offset %d is not UTF-8 text; want a YAML scenario file (is this a binary file?)", data[i], i)}
		}
		i += size
	}
	return nil
}

func (r *reader) top(n ast.Node) {
	entries, ok := r.mapping(n, "")
	if !ok {
		r.fail(n, "", "the file must be a mapping of keys such as target and load, got "+kindOf(n))
		return
	}
	for _, e := range entries {
		r.mark(e.keyNode, e.key)
		switch e.key {
		case "name", "target", "mode":
			r.leaf(e, e.key)
		case "load":
			r.section(e, loadKeys, func(se entry, key string) bool {
				switch se.key {
				case "stages":
					r.stages(se.value, key)
				case "source_ips":
					r.sourceIPs(se.value, key)
				default:
					return false
				}
				return true
			})
		case "timeouts":
			r.section(e, timeoutKeys, nil)
		case "tls":
			r.section(e, tlsKeys, nil)
		case "outputs":
			r.section(e, outputKeys, nil)
		case "baseline":
			r.section(e, baselineKeys, nil)
		case "requests":
			r.requests(e.value)
		case "thresholds":
			r.thresholds(e.value)
		default:
			if strings.HasPrefix(e.key, "x-") {
				continue // an extension key, for anchors: ignored
			}
			r.unknown(e, "", topKeys)
		}
	}
}

// section reads a mapping of leaves; special handles its non-leaf keys.
func (r *reader) section(e entry, known []string, special func(entry, string) bool) {
	entries, ok := r.mapping(e.value, e.key)
	if !ok {
		r.fail(e.value, e.key, fmt.Sprintf("must be a mapping of keys such as %s, got %s", known[0], kindOf(e.value)))
		return
	}
	for _, se := range entries {
		key := e.key + "." + se.key
		r.mark(se.keyNode, key)
		if special != nil && special(se, key) {
			continue
		}
		l, ok := leaves[key]
		if !ok {
			r.unknown(se, e.key, known)
			continue
		}
		if t, ok := r.text(se.value, key, l.want); ok {
			if msg := l.set(r.s, t); msg != "" {
				r.fail(se.value, key, msg)
			}
		}
	}
}

func (r *reader) leaf(e entry, key string) {
	l := leaves[key]
	if t, ok := r.text(e.value, key, l.want); ok {
		if msg := l.set(r.s, t); msg != "" {
			r.fail(e.value, key, msg)
		}
	}
}

func (r *reader) requests(n ast.Node) {
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, "requests", "must be a list of requests (method, path, headers, body, weight), got "+kindOf(n))
		return
	}
	if len(items) == 0 {
		r.fail(n, "requests", "must list at least one request, such as - path: /")
		return
	}
	r.s.Requests = make([]Request, len(items))
	for i, it := range items {
		key := "requests[" + strconv.Itoa(i) + "]"
		r.mark(it, key)
		entries, ok := r.mapping(it, key)
		if !ok {
			r.fail(it, key, "must be a mapping such as {method: GET, path: /}, got "+kindOf(it))
			continue
		}
		req := &r.s.Requests[i]
		for _, e := range entries {
			fk := key + "." + e.key
			r.mark(e.keyNode, fk)
			if e.key == "headers" {
				r.headers(req, e.value, fk)
				continue
			}
			set, ok := requestLeaves[e.key]
			if !ok {
				r.unknown(e, key, requestKeys)
				continue
			}
			want := "a string"
			if e.key == "weight" {
				want = wantPositiveInt
			}
			if t, ok := r.text(e.value, fk, want); ok {
				if msg := set(req, t, r.dir); msg != "" {
					r.fail(e.value, fk, msg)
				}
			}
		}
	}
}

// headers reads a mapping of Name: value, or a list of "Name: value".
func (r *reader) headers(req *Request, n ast.Node, key string) {
	if entries, ok := r.mapping(n, key); ok {
		for _, e := range entries {
			v, ok := r.text(e.value, key, "a header value")
			if !ok {
				continue
			}
			h := Header{Name: e.key, Value: v}
			if msg := checkHeader(h); msg != "" {
				r.fail(e.keyNode, key, msg)
				continue
			}
			req.Headers = append(req.Headers, h)
		}
		return
	}
	r.textList(n, key, `a mapping of Name: value or a list of "Name: value"`, wantHeader, func(it ast.Node, ik, t string) {
		h, msg := parseHeaderLine(t)
		if msg != "" {
			r.fail(it, ik, msg)
			return
		}
		req.Headers = append(req.Headers, h)
	})
}

func (r *reader) stages(n ast.Node, key string) {
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, key, "must be a list of {duration, target}, got "+kindOf(n))
		return
	}
	for i, it := range items {
		ik := key + "[" + strconv.Itoa(i) + "]"
		r.mark(it, ik)
		entries, ok := r.mapping(it, ik)
		if !ok {
			r.fail(it, ik, "must be a mapping such as {duration: 30s, target: 1000}, got "+kindOf(it))
			continue
		}
		var st Stage
		seen := map[string]bool{}
		for _, e := range entries {
			fk := ik + "." + e.key
			set, ok := stageLeaves[e.key]
			if !ok {
				r.unknown(e, ik, stageKeys)
				continue
			}
			seen[e.key] = true
			if t, ok := r.text(e.value, fk, "a scalar"); ok {
				if msg := set(&st, t); msg != "" {
					r.fail(e.value, fk, msg)
				}
			}
		}
		for _, k := range stageKeys {
			if !seen[k] {
				r.fail(it, ik, "missing "+k+"; a stage is {duration: 30s, target: 1000}")
			}
		}
		r.s.Load.Stages = append(r.s.Load.Stages, st)
	}
}

func (r *reader) sourceIPs(n ast.Node, key string) {
	r.textList(n, key, "a list of IP addresses", wantIP, func(it ast.Node, ik, t string) {
		ips, msg := parseIPs(t)
		if msg != "" {
			r.fail(it, ik, msg)
			return
		}
		r.s.Load.SourceIPs = append(r.s.Load.SourceIPs, ips...)
	})
}

func (r *reader) thresholds(n ast.Node) {
	const want = `an expression such as "p99 < 50ms"`
	r.textList(n, "thresholds", "a list of expressions such as \"p99 < 50ms\"", want, func(it ast.Node, ik, t string) {
		if _, err := ParseThreshold(t); err != nil {
			r.fail(it, ik, err.Error())
		}
		r.s.Thresholds = append(r.s.Thresholds, t)
	})
}

// textList reads n as a list of scalars and hands each element's text to
// each, with its node and key (key[i]); what is not a list, or an element
// that is not a scalar, fails with what was wanted. Each element's line is
// marked, for messages that point back at it (a breached threshold).
func (r *reader) textList(n ast.Node, key, wantList, wantElem string, each func(it ast.Node, ik, text string)) {
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, key, "must be "+wantList+", got "+kindOf(n))
		return
	}
	for i, it := range items {
		ik := key + "[" + strconv.Itoa(i) + "]"
		r.mark(it, ik)
		if t, ok := r.text(it, ik, wantElem); ok {
			each(it, ik, t)
		}
	}
}

func joinKey(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}
