package scenarios

import (
	"errors"
	"fmt"

	yaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// The reader's YAML helpers: positions, anchors and merges, mappings,
// sequences and scalars of goccy/go-yaml's AST.

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
	r.failed[key] = true
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, &Error{Origin: r.at(n), Key: key, Msg: msg})
	} else {
		r.unlisted++
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
