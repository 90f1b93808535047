package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Errors of the scenarios package. Every error this package returns wraps
// one of them, so cmd can choose an exit code with errors.Is while the
// message stays the one a user reads.
var (
	// ErrInvalid means a scenario file, a --set override or a Scenario
	// value is wrong: bad YAML, an unknown key, a bad value or a conflict.
	ErrInvalid = errors.New("scenarios: invalid scenario")
	// ErrResolve means the target's host did not resolve.
	ErrResolve = errors.New("scenarios: cannot resolve host")
	// ErrBodyFile means a request's body file could not be read.
	ErrBodyFile = errors.New("scenarios: cannot read body file")
	// ErrThreshold means a threshold expression does not parse.
	ErrThreshold = errors.New("scenarios: bad threshold")
	// ErrBaseline means a baseline summary could not be read or used.
	ErrBaseline = errors.New("scenarios: bad baseline")
)

// Error is one problem of a scenario, located where it was written: a file
// and line, a --set override, or nowhere (a Scenario built in code). Its
// text is "checkout.yaml:14: load.rate: must be a number above 0, got
// \"fast\"". It wraps ErrInvalid.
type Error struct {
	Origin string // "checkout.yaml:14", "--set", or ""
	Key    string // "load.rate", "requests[1].path", or "" for the whole file
	Msg    string // what is wrong and what is expected
}

// Error returns "origin: key: msg" ("--set key: msg"), leaving out the
// empty parts.
func (e *Error) Error() string {
	key := e.Key
	if strings.ContainsFunc(key, func(r rune) bool { return !unicode.IsPrint(r) }) {
		key = strconv.Quote(key) // never print control bytes or broken text raw
	}
	s := e.Msg
	if key != "" {
		s = key + ": " + s
	}
	switch {
	case e.Origin == setOrigin && e.Key != "":
		s = e.Origin + " " + s // "--set load.rate: ...", as typed
	case strings.HasPrefix(e.Origin, "-") && e.Key != "":
		s = e.Origin + " (" + key + "): " + e.Msg // a flag: "-R/--rate (load.rate): ..."
	case e.Origin != "":
		s = e.Origin + ": " + s
	}
	return s
}

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// moreProblems is the last line of a file with more problems than Load
// lists: how many it left out.
type moreProblems struct {
	file string
	n    int
}

func (e *moreProblems) Error() string {
	what := "problems"
	if e.n == 1 {
		what = "problem"
	}
	return fmt.Sprintf("%s: and %d more %s, not listed (reading a file stops listing at %d); fix these and check again", e.file, e.n, what, maxErrors)
}

// Unwrap returns ErrInvalid.
func (e *moreProblems) Unwrap() error { return ErrInvalid }

// JoinErrors joins the problems of one scenario found by Load, the
// overrides and Validate into one error, one line each: nil errors are
// dropped, joined ones flattened, and the problems of the file put in the
// order of its lines, followed by those of the overrides and flags in the
// order they came, and last how many more the file had than Load lists.
// It returns nil when there is no problem.
func JoinErrors(errs ...error) error {
	var flat []error
	var add func(error)
	add = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				add(e)
			}
			return
		}
		if err != nil {
			flat = append(flat, err)
		}
	}
	for _, err := range errs {
		add(err)
	}
	slices.SortStableFunc(flat, func(a, b error) int { return lineOf(a) - lineOf(b) })
	// How many problems were left unlisted comes last, after those of the
	// overrides and flags too.
	var more *moreProblems
	flat = slices.DeleteFunc(flat, func(err error) bool {
		m, ok := err.(*moreProblems)
		more = cmp.Or(more, m)
		return ok
	})
	if more != nil {
		flat = append(flat, more)
	}
	return errors.Join(flat...)
}

// lineOf returns the line of the file a problem was found at, or a number
// past every line when it has none (an override, a flag, the whole file).
func lineOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		if i := strings.LastIndexByte(e.Origin, ':'); i >= 0 {
			if n, convErr := strconv.Atoi(e.Origin[i+1:]); convErr == nil {
				return n
			}
		}
	}
	return math.MaxInt32
}
