package cmd

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
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
		{[]string{"--stall", "300ms"}, "--stall and --stall-every must both be positive, got 300ms and 0s"},
		{[]string{"--stall", "2s", "--stall-every", "1s"}, "--stall 2s must be shorter than --stall-every 1s"},
		{[]string{"--refuse-every", "1s"}, "--refuse and --refuse-every must both be positive"},
		{[]string{"--header-size", "-1"}, "--header-size must be 1 to 16777216 bytes (16 MiB), got -1"},
		{[]string{"--header-size", "0"}, "--header-size must be at least 1 byte, got 0; leave it out for the default 65536"},
		{[]string{"--drip-every", "-1ms"}, "--drip-every must be positive, got -1ms"},
		{[]string{"--drip-every", "0"}, "--drip-every must be positive, got 0s; leave it out for the default 5ms"},
		{[]string{"--stall", "soon"}, `--stall: "soon" is not a duration`},
		{[]string{"--body-size", "-3"}, "--body-size must be 0 to 67108864 bytes (64 MiB), got -3"},
		{[]string{"--body-size", "99999999999"}, "--body-size must be 0 to 67108864 bytes (64 MiB), got 99999999999"},
		{[]string{"--delay", "-1ms"}, "--delay must not be negative, got -1ms"},
		{[]string{"--jitter", "-1ms"}, "--jitter must not be negative, got -1ms"},
		{[]string{"--cert-out", "t.pem"}, "--cert-out t.pem needs --tls: only an HTTPS target has a certificate to write"},
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

// TestTargetBodySizeZeroIsEmpty: --body-size 0 is an empty body, not the
// default 13 bytes.
func TestTargetBodySizeZeroIsEmpty(t *testing.T) {
	addr, _, stop := startTargetCmd(t, "--body-size", "0")
	defer stop()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != 0 || len(b) != 0 {
		t.Fatalf("status %d, Content-Length %d, body %q, %v; want 200 and no body", resp.StatusCode, resp.ContentLength, b, err)
	}
}

// startTargetCmd runs `nowait target --listen 127.0.0.1:0 args...` in
// process and returns its address, its stdout and a function that stops
// it and fails the test if it does not stop or fails.
func startTargetCmd(t *testing.T, args ...string) (string, *syncBuffer, func()) {
	t.Helper()
	var out, errb syncBuffer
	root := newRootCmd(&app{stdout: &out, stderr: &errb})
	root.SetArgs(append([]string{"target", "--listen", "127.0.0.1:0"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	stop := func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("target command did not stop after cancel")
		}
	}
	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no listening line; stdout %q, stderr %q", out.String(), errb.String())
		}
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			addr = strings.TrimPrefix(line, "listening on ")
		}
	}
	return addr, &out, stop
}

// TestTargetServesFaults runs the command with fault flags, checks a
// client sees the fault, stops it and reads its closing counts.
func TestTargetServesFaults(t *testing.T) {
	addr, out, stop := startTargetCmd(t, "--fault", "503:100", "--stall", "1ms", "--stall-every", "1h")
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
	stop()
	want := "listening on " + addr + "\nserved 3 responses on 3 connections\nfaults: 503 3\n"
	if got := out.String(); got != want {
		t.Fatalf("stdout %q; want %q", got, want)
	}
}

// httpsGet GETs url with cl and fails the test unless it is a 200 with
// the default body.
func httpsGet(t *testing.T, cl *http.Client, url string) {
	t.Helper()
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(b) != target.DefaultBodySize || resp.TLS == nil {
		t.Fatalf("GET %s: status %d, body %q, TLS %v, %v; want 200 over TLS", url, resp.StatusCode, b, resp.TLS != nil, err)
	}
}

// TestTargetTLS runs `nowait target --tls --cert-out FILE`: it prints an
// https:// URL and how to trust the certificate, a client that trusts
// only the written certificate verifies it for 127.0.0.1 and localhost,
// and one that does not is refused.
func TestTargetTLS(t *testing.T) {
	pemFile := filepath.Join(t.TempDir(), "target.pem")
	url, out, stop := startTargetCmd(t, "--tls", "--cert-out", pemFile)
	if !regexp.MustCompile(`^https://127\.0\.0\.1:\d+/$`).MatchString(url) {
		t.Fatalf("listening on %q; want https://127.0.0.1:PORT/", url)
	}
	pemBytes, err := os.ReadFile(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("--cert-out wrote no PEM certificate: %q", pemBytes)
	}
	cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer cl.CloseIdleConnections()
	httpsGet(t, cl, url)
	httpsGet(t, cl, strings.Replace(url, "127.0.0.1", "localhost", 1))
	_, err = (&http.Client{Timeout: 2 * time.Second}).Get(url)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("GET without the certificate: %v; want an unknown authority", err)
	}
	cl.CloseIdleConnections()
	stop()
	want := "listening on " + url + "\n" +
		"self-signed certificate for 127.0.0.1, ::1 and localhost written to " + pemFile + ": curl --cacert " + pemFile + " " + url + " (or -k/--insecure)\n" +
		"served 2 responses on 3 connections\n"
	if got := out.String(); got != want {
		t.Fatalf("stdout %q; want %q", got, want)
	}
}

// TestTargetTLSInsecure runs `nowait target --tls` without --cert-out:
// the second line says to pass -k, and a client that skips verification
// (as -k does) is served.
func TestTargetTLSInsecure(t *testing.T) {
	url, out, stop := startTargetCmd(t, "--tls")
	cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	httpsGet(t, cl, url+"status/200")
	cl.CloseIdleConnections()
	stop()
	want := "listening on " + url + "\n" +
		"self-signed certificate for 127.0.0.1, ::1 and localhost: clients need -k/--insecure (curl -k), or --cert-out FILE for curl --cacert FILE\n" +
		"served 1 response on 1 connection\n"
	if got := out.String(); got != want {
		t.Fatalf("stdout %q; want %q", got, want)
	}
}

// TestTargetCertOutUnwritable: a --cert-out the target cannot write is
// bad input (exit 2), refused before the target starts, with one line
// naming it.
func TestTargetCertOutUnwritable(t *testing.T) {
	dir := t.TempDir() // a directory: no file can be written at its path
	var out, errb syncBuffer
	root := newRootCmd(&app{stdout: &out, stderr: &errb})
	root.SetArgs([]string{"target", "--listen", "127.0.0.1:0", "--tls", "--cert-out", dir})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		t.Fatal("the target served on; want it to stop at the failed --cert-out")
	}
	if exitCode(err) != ExitUsage || err == nil || !strings.Contains(err.Error(), "--cert-out "+dir+": is a directory") {
		t.Fatalf("error %v (exit %d); want exit %d naming --cert-out and %s", err, exitCode(err), ExitUsage, dir)
	}
	if out.String() != "" {
		t.Fatalf("stdout %q; want nothing (no listening line for a target that stopped)", out.String())
	}
}
