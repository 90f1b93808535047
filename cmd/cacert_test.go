package cmd

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// trustedTarget starts enginetest's self-signed HTTPS server and writes
// its certificate to a PEM file: its URL, the file and the served count.
func trustedTarget(t *testing.T) (string, string, func() uint64) {
	t.Helper()
	srv, served := enginetest.StartTLSTarget(t)
	file := filepath.Join(t.TempDir(), "server.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(file, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/", file, served.Load
}

// TestCACertTrustsTheServerWithoutInsecure: --cacert with the server's
// own certificate loads it without -k in every mode, as does hold and a
// scenario's tls.ca_file (relative to the scenario file), and the client
// counts what the server served.
func TestCACertTrustsTheServerWithoutInsecure(t *testing.T) {
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run("run "+mode, func(t *testing.T) {
			url, file, served := trustedTarget(t)
			stdout, stderr, code := runBin(t, "run", url, "--mode", mode, "-c", "2", "-n", "200", "--cacert", file, "--json")
			s := summaryOf(t, stdout, stderr)
			if code != ExitOK || s.Responses != 200 || served() != 200 || s.Status["200"] != 200 || s.ErrorTotal != 0 {
				t.Fatalf("exit %d, responses %d, served %d, errors %v (%s); want 0 and 200 of each", code, s.Responses, served(), s.Errors, stderr)
			}
		})
	}
	t.Run("hold", func(t *testing.T) {
		url, file, served := trustedTarget(t)
		stdout, stderr, code := runBin(t, "hold", url, "-c", "3", "--every", "100ms", "-d", "1s", "--cacert", file, "--json")
		s := summaryOf(t, stdout, stderr)
		if code != ExitOK || s.Connects != 3 || s.ErrorTotal != 0 || s.Responses < 3 || s.Responses > served() {
			t.Fatalf("exit %d, connects %d, responses %d, served %d, errors %v (%s)", code, s.Connects, s.Responses, served(), s.Errors, stderr)
		}
	})
	t.Run("scenario tls.ca_file", func(t *testing.T) {
		url, file, served := trustedTarget(t)
		dir := filepath.Dir(file)
		path := filepath.Join(dir, "tls.yaml")
		if err := os.WriteFile(path, []byte("target: "+url+"\nmode: sync\nload: {connections: 2, requests: 150}\ntls: {ca_file: server.pem}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runBin(t, "run", path, "--json") // run from elsewhere: ca_file is relative to the file
		s := summaryOf(t, stdout, stderr)
		if code != ExitOK || s.Responses != 150 || served() != 150 || s.ErrorTotal != 0 {
			t.Fatalf("exit %d, responses %d, served %d, errors %v (%s)", code, s.Responses, served(), s.Errors, stderr)
		}
	})
}

// TestCACertOfAnotherServerIsNotTrusted: --cacert trusts the file's
// certificates and nothing else: with another server's certificate no
// connection is made, and the line says why.
func TestCACertOfAnotherServerIsNotTrusted(t *testing.T) {
	other, err := target.Start("127.0.0.1:0", target.Config{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	file := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(file, other.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	url, _, served := trustedTarget(t)
	for _, mode := range []string{"async", "sync", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			checkOneLine(t, badInput{
				args: []string{"run", url, "--mode", mode, "-c", "2", "-d", "1s", "--cacert", file},
				code: ExitRunFailed,
				want: []string{"tls: failed to verify certificate: x509: certificate signed by unknown authority", "use --cacert FILE (scenario key tls.ca_file)"},
			})
		})
	}
	if n := served(); n != 0 {
		t.Fatalf("the server served %d requests through a certificate --cacert does not hold", n)
	}
}

// TestCACertFileThatIsNotUsable: a missing file and a file with no PEM
// certificate are one line each, exit 2, naming the flag (or the key) and
// the file, before any load.
func TestCACertFileThatIsNotUsable(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "notpem.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	scenario := filepath.Join(dir, "ca.yaml")
	if err := os.WriteFile(scenario, []byte("target: https://127.0.0.1:1/\ntls:\n  ca_file: notpem.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const noPEM = "holds no PEM certificate; want a file of -----BEGIN CERTIFICATE----- blocks"
	for _, tc := range []badInput{
		{name: "run missing", args: []string{"run", "https://127.0.0.1:1/", "--cacert", missing}, want: []string{"--cacert (tls.ca_file): cannot read " + missing + ": no such file or directory"}},
		{name: "run not PEM", args: []string{"run", "https://127.0.0.1:1/", "--cacert", notPEM}, want: []string{"--cacert (tls.ca_file): " + notPEM + " " + noPEM}},
		{name: "hold missing", args: []string{"hold", "https://127.0.0.1:1/", "--cacert", missing}, want: []string{"--cacert (tls.ca_file): cannot read " + missing}},
		{name: "compare not PEM", args: []string{"compare", "https://127.0.0.1:1/", "--cacert", notPEM}, want: []string{"--cacert (tls.ca_file): " + notPEM + " " + noPEM}},
		{name: "scenario not PEM", args: []string{"run", scenario}, want: []string{scenario + ":3: tls.ca_file: " + notPEM + " " + noPEM}},
		{name: "scenario flag missing", args: []string{"run", scenario, "--cacert", missing}, want: []string{"--cacert (tls.ca_file): cannot read " + missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.code = ExitUsage
			checkOneLine(t, tc)
		})
	}
}
