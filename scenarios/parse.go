package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	yaml "github.com/goccy/go-yaml"
)

// maxErrors bounds how many problems one file reports.
const maxErrors = 20

// Load reads a scenario file. Each value is checked as it is read; every
// problem is reported as "path:line: key: message", several joined with
// newlines. A relative body_file is resolved against the file's directory.
// Load does not Validate: apply the --set overrides first.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &wrapped{ErrInvalid, fmt.Sprintf("cannot read scenario %s: %v", path, pathErrReason(err))}
	}
	return parse(path, filepath.Dir(path), data)
}

// Parse reads a scenario from data; name is used in messages and as the
// scenario's File. A relative body_file stays relative to the working
// directory.
func Parse(name string, data []byte) (*Scenario, error) {
	return parse(name, "", data)
}

// reader walks the YAML tree of one file into a Scenario.
type reader struct {
	file    string
	dir     string
	s       *Scenario
	origin  map[string]string
	errs    []error
	anchors map[string]ast.Node

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
	r := &reader{file: name, dir: dir, s: &Scenario{File: name}, origin: map[string]string{}, anchors: map[string]ast.Node{}}
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
	r.s.origin = r.origin
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return r.s, nil
}

func (r *reader) syntaxError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
		return &Error{Origin: fmt.Sprintf("%s:%d", r.file, ye.GetToken().Position.Line), Msg: "bad YAML: " + ye.GetMessage()}
	}
	return &Error{Origin: r.file, Msg: "bad YAML: " + err.Error()}
}

// at returns "file:line" of a node.
func (r *reader) at(n ast.Node) string {
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			return fmt.Sprintf("%s:%d", r.file, tk.Position.Line)
		}
	}
	return r.file
}

func (r *reader) fail(n ast.Node, key, msg string) {
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, &Error{Origin: r.at(n), Key: key, Msg: msg})
	}
}

// unwrap looks through tags, anchors and aliases to the node they stand for.
func (r *reader) unwrap(n ast.Node) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			target, ok := r.anchors[v.Value.GetToken().Value]
			if !ok {
				return v
			}
			n = target
		default:
			return n
		}
	}
	return n
}

// anchorCollector records every anchor of a document by name, so an alias
// resolves even to an anchor inside a part the reader skips (x- keys).
type anchorCollector map[string]ast.Node

func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if v, ok := n.(*ast.AnchorNode); ok && v.Name != nil {
		a[v.Name.GetToken().Value] = v.Value
	}
	return a
}

// entry is one key and value of a mapping, with where the key was written.
type entry struct {
	key     string
	keyNode ast.Node
	value   ast.Node
}

// mapping returns the entries of a mapping node in order, or false when n
// is not a mapping. A null node is an empty mapping.
func (r *reader) mapping(n ast.Node, key string) ([]entry, bool) {
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	case *ast.NullNode, nil:
		return nil, true
	default:
		return nil, false
	}
	// Explicit keys win over merged ones ("<<: *defaults"), wherever the
	// merge key stands, so collect them first.
	explicit := map[string]bool{}
	for _, mv := range values {
		if k, ok := r.scalar(r.unwrap(mv.Key)); ok {
			explicit[k] = true
		}
	}
	out := make([]entry, 0, len(values))
	merged := map[string]bool{} // keys taken from a merge
	given := map[string]bool{}  // keys written here
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			for _, e := range r.mergeEntries(mv.Value, key) {
				if !explicit[e.key] && !merged[e.key] {
					merged[e.key] = true
					out = append(out, e)
				}
			}
			continue
		}
		k, ok := r.scalar(r.unwrap(mv.Key))
		if !ok {
			r.fail(mv.Key, key, "keys must be plain words")
			continue
		}
		if given[k] {
			r.fail(mv.Key, joinKey(key, k), "key given twice")
			continue
		}
		given[k] = true
		out = append(out, entry{key: k, keyNode: mv.Key, value: r.unwrap(mv.Value)})
	}
	return out, true
}

// mergeEntries returns the entries a merge key brings: one mapping, or a
// list of them (earlier ones win).
func (r *reader) mergeEntries(n ast.Node, key string) []entry {
	// An alias may merge the mapping it stands in: bound the depth.
	r.merges++
	if r.mergeDepth >= maxMergeDepth || r.merges > maxMerges {
		if !r.mergeFailed {
			r.mergeFailed = true
			r.fail(n, key, "<< merges too deep or too often; is an anchor merged into itself?")
		}
		return nil
	}
	r.mergeDepth++
	defer func() { r.mergeDepth-- }()
	n = r.unwrap(n)
	if items, ok := n.(*ast.SequenceNode); ok {
		var out []entry
		for _, it := range items.Values {
			out = append(out, r.mergeEntries(it, key)...)
		}
		return out
	}
	entries, ok := r.mapping(n, key)
	if !ok {
		r.fail(n, key, "<< must merge a mapping, such as <<: *defaults")
	}
	return entries
}

// sequence returns the items of a sequence node, or false when n is not a
// sequence. A null node is an empty sequence.
func (r *reader) sequence(n ast.Node) ([]ast.Node, bool) {
	switch v := n.(type) {
	case *ast.SequenceNode:
		items := make([]ast.Node, len(v.Values))
		for i, it := range v.Values {
			items[i] = r.unwrap(it)
		}
		return items, true
	case *ast.NullNode, nil:
		return nil, true
	}
	return nil, false
}

// scalar returns the text of a scalar node; null is "".
func (r *reader) scalar(n ast.Node) (string, bool) { return scalarText(n) }

func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.NullNode:
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// kindOf names a node for a message: a scalar's value, or "a list".
func kindOf(n ast.Node) string {
	if t, ok := scalarText(n); ok {
		return show(t)
	}
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	return "a " + n.Type().String()
}

// text returns a scalar's text or reports that want was expected.
func (r *reader) text(n ast.Node, key, want string) (string, bool) {
	t, ok := r.scalar(n)
	if !ok {
		r.fail(n, key, "must be "+want+", got "+kindOf(n))
	}
	return t, ok
}

func (r *reader) mark(n ast.Node, key string) { r.origin[key] = r.at(n) }

func (r *reader) unknown(e entry, section string, known []string) {
	full := joinKey(section, e.key)
	r.fail(e.keyNode, full, "unknown key; "+suggest(section, e.key, known))
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
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, key, "must be a mapping of Name: value or a list of \"Name: value\", got "+kindOf(n))
		return
	}
	for i, it := range items {
		ik := key + "[" + strconv.Itoa(i) + "]"
		t, ok := r.text(it, ik, wantHeader)
		if !ok {
			continue
		}
		h, msg := parseHeaderLine(t)
		if msg != "" {
			r.fail(it, ik, msg)
			continue
		}
		req.Headers = append(req.Headers, h)
	}
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
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, key, "must be a list of IP addresses, got "+kindOf(n))
		return
	}
	for i, it := range items {
		ik := key + "[" + strconv.Itoa(i) + "]"
		t, ok := r.text(it, ik, wantIP)
		if !ok {
			continue
		}
		ip, msg := parseIP(t)
		if msg != "" {
			r.fail(it, ik, msg)
			continue
		}
		r.s.Load.SourceIPs = append(r.s.Load.SourceIPs, ip)
	}
}

func (r *reader) thresholds(n ast.Node) {
	items, ok := r.sequence(n)
	if !ok {
		r.fail(n, "thresholds", `must be a list of expressions such as "p99 < 50ms", got `+kindOf(n))
		return
	}
	for i, it := range items {
		ik := "thresholds[" + strconv.Itoa(i) + "]"
		r.mark(it, ik)
		t, ok := r.text(it, ik, `an expression such as "p99 < 50ms"`)
		if !ok {
			continue
		}
		if _, err := ParseThreshold(t); err != nil {
			r.fail(it, ik, err.Error())
		}
		r.s.Thresholds = append(r.s.Thresholds, t)
	}
}

func joinKey(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

func pathErrReason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
