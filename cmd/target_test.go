package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nowait/nowait/target"
)

func TestParseFaults(t *testing.T) {
	good := []struct {
		specs []string
		want  []target.Fault
	}{
		{nil, nil},
		{[]string{"reset"}, []target.Fault{{Kind: target.FaultReset, Percent: 100}}},
		{[]string{"reset:10", " 503:2.5% ", "hang:1"}, []target.Fault{
			{Kind: target.FaultReset, Percent: 10}, {Kind: target.Fault503, Percent: 2.5}, {Kind: target.FaultHang, Percent: 1},
		}},
		{[]string{"big-header:50", "short-body:50"}, []target.Fault{
			{Kind: target.FaultBigHeader, Percent: 50}, {Kind: target.FaultShortBody, Percent: 50},
		}},
	}
	for _, tc := range good {
		got, err := parseFaults(tc.specs)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseFaults(%q) = %v, %v; want %v", tc.specs, got, err, tc.want)
		}
	}
	bad := []struct {
		specs []string
		want  string
	}{
		{[]string{"boom"}, `unknown kind "boom"; want one of reset, close, garbage, big-header, short-body, drip, hang, 500, 503`},
		{[]string{""}, `unknown kind ""`},
		{[]string{"reset:x"}, `bad percent "x" in "reset:x"; want a number in (0, 100]`},
		{[]string{"reset:0"}, `bad percent "0"`},
		{[]string{"reset:-5"}, `bad percent "-5"`},
		{[]string{"reset:101"}, `bad percent "101"`},
		{[]string{"reset:"}, `bad percent ""`},
		{[]string{"hang:10", "hang:20"}, `hang given twice`},
		{[]string{"reset:60", "503:50"}, `percentages add up to 110; at most 100`},
	}
	for _, tc := range bad {
		if _, err := parseFaults(tc.specs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFaults(%q): %v; want %q", tc.specs, err, tc.want)
		}
	}
}

// TestTargetBadFlags runs the target command on bad values: each is a
// usage error (exit 2) with one line saying what is wrong.
func TestTargetBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fault", "boom"}, `nowait: --fault: unknown kind "boom"; want one of reset, close,`},
		{[]string{"--fault", "reset:abc"}, `nowait: --fault: bad percent "abc" in "reset:abc"`},
		{[]string{"--fault", "reset:60,drip:60"}, `nowait: --fault: percentages add up to 120; at most 100`},
		{[]string{"--stall", "300ms"}, "stall and stall-every must both be positive, got 300ms and 0s"},
		{[]string{"--stall", "2s", "--stall-every", "1s"}, "stall 2s must be shorter than stall-every 1s"},
		{[]string{"--refuse-every", "1s"}, "refuse and refuse-every must both be positive"},
		{[]string{"--header-size", "-1"}, "header size must not be negative, got -1"},
		{[]string{"--drip-every", "-1ms"}, "drip interval must not be negative"},
		{[]string{"--stall", "soon"}, `--stall: "soon" is not a duration`},
		{[]string{"--body-size", "-3"}, "body size must not be negative, got -3"},
	} {
		var out, errb bytes.Buffer
		code := run(&app{stdout: &out, stderr: &errb}, append([]string{"target", "--listen", "127.0.0.1:0"}, tc.args...))
		msg := errb.String()
		if code != ExitUsage || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 || out.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit %d and one line with %q",
				tc.args, code, msg, out.String(), ExitUsage, tc.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestTargetServesFaults runs the command with fault flags, checks a
// client sees the fault, stops it and reads its closing counts.
func TestTargetServesFaults(t *testing.T) {
	var out, errb syncBuffer
	root := newRootCmd(&app{stdout: &out, stderr: &errb})
	root.SetArgs([]string{"target", "--listen", "127.0.0.1:0", "--fault", "503:100", "--stall", "1ms", "--stall-every", "1h"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no listening line; stdout %q, stderr %q", out.String(), errb.String())
		}
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			addr = strings.TrimPrefix(line, "listening on ")
		}
	}
	cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		resp, err := cl.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Fatalf("status %d; want 503", resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("target command did not stop after cancel")
	}
	want := "listening on " + addr + "\nserved 3 responses on 3 connections\nfaults: 503 3\n"
	if got := out.String(); got != want {
		t.Fatalf("stdout %q; want %q", got, want)
	}
}
