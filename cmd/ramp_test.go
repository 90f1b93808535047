package cmd

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

// A closed-model connection ramp is named as a ramp where the run is
// described, before and after it, not as the count it starts from; the
// result directory keeps the ramp.
func TestClosedRampHeaderShowsTheRamp(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	dir := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "2", "--closed", "--stages", "500ms:6,500ms:0", "--out", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Running for 1s against " + srv.URL() + ": 2 → 6 → 0 connections, no pipelining, async mode\n",
		"async mode, closed model, 2 → 6 → 0 connections over 1s, ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "closed model, 2 connections") {
		t.Errorf("the header shows the starting count as if fixed:\n%s", stdout)
	}
	res, err := stats.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []stats.RampPoint{{AtSec: 0, Target: 2}, {AtSec: 0.5, Target: 6}, {AtSec: 1, Target: 0}}
	// A response on its way as the run ends is served, not counted.
	if served := uint64(srv.Served()); !reflect.DeepEqual(res.Ramp, want) || res.Responses == 0 || res.Responses > served || served > res.Responses+res.InFlightAtEnd {
		t.Fatalf("saved ramp %v (want %v), %d responses and %d in flight at the end, the target served %d", res.Ramp, want, res.Responses, res.InFlightAtEnd, served)
	}
	stdout, stderr, code = runBin(t, "report", dir)
	if code != ExitOK || !strings.Contains(stdout, "closed model, 2 → 6 → 0 connections over 1s") {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// An open-model rate ramp is named with its rates, not the -R it starts
// from, and saved as planned for the timeline to draw.
func TestOpenRampIsNamedAndSaved(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	dir := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := runBin(t, "run", srv.URL(), "-c", "4", "-R", "100", "--stages", "500ms:300,500ms:0", "--out", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Running for 1s against " + srv.URL() + ": 100 → 300 → 0 req/s, 4 connections, no pipelining, async mode\n",
		"Schedule      target 100 → 300 → 0 req/s over 1s; ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	res, err := stats.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []stats.RampPoint{{AtSec: 0, Target: 100}, {AtSec: 0.5, Target: 300}, {AtSec: 1, Target: 0}}
	// The schedule holds (100+300)/2 * 0.5 + 300/2 * 0.5 = 175 requests.
	served := uint64(srv.Served())
	if !reflect.DeepEqual(res.Ramp, want) || res.Requests+res.Dropped != 175 || res.Responses > served || served > res.Responses+res.InFlightAtEnd {
		t.Fatalf("saved ramp %v (want %v); %d sent + %d dropped, want 175; %d responses and %d in flight at the end, the target served %d",
			res.Ramp, want, res.Requests, res.Dropped, res.Responses, res.InFlightAtEnd, served)
	}
}

// The help says what -R does beside --stages (the rate the ramp starts
// from, as k6's startRate), so -R 1000 --stages 2s:10 ramping down from
// 1,000 is documented, not a surprise; and --stages says where it starts.
func TestHelpSaysTheRampStartsFromRate(t *testing.T) {
	stdout, stderr, code := runBin(t, "run", "--help")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	help := strings.Join(strings.Fields(stdout), " ")
	for _, want := range []string{
		"with --stages, the rate the ramp starts from (default 0), as k6's startRate",
		"from -R (rate, open model; 0 without -R) or from -c (connections, with --closed); -R 1000 --stages 10s:10 ramps down from 1000",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("run --help lacks %q:\n%s", want, stdout)
		}
	}
}
