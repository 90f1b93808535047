package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/nowait/nowait/internal/errmsg"
)

// Errors of the result files. Each is wrapped, with what it is about, by
// an error whose text is one line for the user (the sentinel's own text
// is not part of it), so callers test them with errors.Is.
var (
	// ErrOutNotDir means the output path exists and is not a directory.
	ErrOutNotDir = errors.New("stats: output path is not a directory")
	// ErrWriteFile means a result file could not be written.
	ErrWriteFile = errors.New("stats: cannot write result file")
	// ErrNoResults means a directory holds no nowait results (no summary.json).
	ErrNoResults = errors.New("stats: no nowait results in directory")
	// ErrSchema means a summary.json was written with another schema version.
	ErrSchema = errors.New("stats: unsupported summary schema version")
	// ErrCorrupt means a result file exists but cannot be parsed.
	ErrCorrupt = errors.New("stats: result file is damaged")
)

// rewrite is what a message about a damaged result file asks for.
const rewrite = "give a result directory as nowait wrote it, or write it again with --out"

// damaged is ErrCorrupt for the result file at path: what is wrong with
// it, and what to give instead.
func damaged(path, format string, args ...any) error {
	return errmsg.Errorf(ErrCorrupt, "%s is damaged: %s; %s", path, fmt.Sprintf(format, args...), rewrite)
}

// JSONProblem says in words what encoding/json found wrong with a file
// it could not decode (err from json.Unmarshal): "it ends early (cut
// short?)", "it holds a JSON array, not an object", "its field responses
// holds a JSON string, not a number", rather than Go's types.
func JSONProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input":
		return "it ends early (cut short?)"
	case errors.As(err, &syn):
		return fmt.Sprintf("it is not valid JSON at byte %d (%v)", syn.Offset, syn)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Sprintf("it holds a JSON %s, not an object", typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("its field %s holds a JSON %s, not %s", typ.Field, typ.Value, jsonKind(typ.Type))
	}
	return err.Error()
}

// jsonKind names the JSON value a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a number"
}
