package errmsg

import (
	"errors"
	"testing"
)

func TestMessageAloneAndSentinelsFound(t *testing.T) {
	sentinel, cause := errors.New("pkg: sentinel"), errors.New("bind: address already in use")
	err := New("port 8080 is in use; pick another", sentinel, cause)
	if got := err.Error(); got != "port 8080 is in use; pick another" {
		t.Errorf("text %q", got)
	}
	if !errors.Is(err, sentinel) || !errors.Is(err, cause) {
		t.Error("errors.Is does not find the sentinel and the cause")
	}
	// One wrapped error is not a list (errors.Join's): callers flatten
	// those into lines.
	if _, ok := New("one", sentinel).(interface{ Unwrap() []error }); ok {
		t.Error("an error wrapping one sentinel unwraps to a list")
	}
	err = Errorf(sentinel, "%d of %s", 3, "x")
	if err.Error() != "3 of x" || !errors.Is(err, sentinel) {
		t.Errorf("Errorf: %q, Is %v", err, errors.Is(err, sentinel))
	}
}
