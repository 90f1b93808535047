package scenarios

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTestCert writes httptest's self-signed certificate into dir as
// name and returns its PEM.
func writeTestCert(t *testing.T, dir, name string) []byte {
	t.Helper()
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompileTLSCAFile: tls.ca_file, relative to the scenario file, or
// from --set relative to the working directory, becomes the plan's
// RootCAs holding exactly its certificate; without it the plan has none
// (the system roots).
func TestCompileTLSCAFile(t *testing.T) {
	dir := t.TempDir()
	certPEM := writeTestCert(t, dir, "server.pem")
	want := x509.NewCertPool()
	want.AppendCertsFromPEM(certPEM)
	path := filepath.Join(dir, "tls.yaml")
	if err := os.WriteFile(path, []byte("target: https://127.0.0.1:8443/\ntls: {ca_file: server.pem}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.TLS.CAFile != filepath.Join(dir, "server.pem") {
		t.Fatalf("ca_file %q, want it resolved against the file's directory", s.TLS.CAFile)
	}
	p, err := s.Compile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.RootCAs == nil || !p.RootCAs.Equal(want) || p.InsecureSkipVerify {
		t.Fatalf("plan RootCAs %v (want the file's certificate), insecure %v", p.RootCAs, p.InsecureSkipVerify)
	}

	plain, err := Parse("plain.yaml", []byte("target: https://127.0.0.1:8443/\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Set("tls.ca_file", filepath.Join(dir, "server.pem")); err != nil {
		t.Fatal(err)
	}
	if p, err := plain.Compile(context.Background()); err != nil || !p.RootCAs.Equal(want) {
		t.Fatalf("--set tls.ca_file: %v, RootCAs %v", err, p)
	}
	plain.TLS.CAFile = ""
	if p, err := plain.Compile(context.Background()); err != nil || p.RootCAs != nil {
		t.Fatalf("no ca_file: %v, plan %+v; want no RootCAs", err, p)
	}
}

// TestValidateTLSCAFile: a ca_file that is missing, or holds no PEM
// certificate, is one error naming where it was written, the key and the
// file.
func TestValidateTLSCAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.yaml")
	for _, c := range []struct{ file, want string }{
		{"missing.pem", path + ":2: tls.ca_file: cannot read " + filepath.Join(dir, "missing.pem") + ": no such file or directory"},
		{"key.pem", path + ":2: tls.ca_file: " + filepath.Join(dir, "key.pem") + " holds no PEM certificate; want a file of -----BEGIN CERTIFICATE----- blocks"},
	} {
		if err := os.WriteFile(path, []byte("target: https://127.0.0.1:8443/\ntls: {ca_file: "+c.file+"}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("%s: %v\nwant %s", c.file, err, c.want)
		}
		if _, err := s.Compile(context.Background()); err == nil {
			t.Fatalf("%s: compiled", c.file)
		}
	}
}
