package cmd

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// authServer is an HTTP server that keeps the Authorization header of
// every request it answers.
type authServer struct {
	url  string // http://127.0.0.1:PORT
	mu   sync.Mutex
	seen []string
}

func startAuthServer(t *testing.T) *authServer {
	t.Helper()
	s := &authServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Header.Get("Authorization"))
		s.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// take returns the Authorization headers seen since the last take.
func (s *authServer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.seen
	s.seen = nil
	return seen
}

// secret is the password of the tests' URLs, percent-encoded in them: a
// colon and an at sign, which the Authorization header carries decoded.
const (
	secretRaw     = "s3cr%3At%40pw"
	secretDecoded = "s3cr:t@pw"
)

// checkNoSecret fails when text holds the password, encoded or not.
func checkNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range []string{secretRaw, secretDecoded, "s3cr"} {
		if strings.Contains(text, s) {
			t.Errorf("%s shows the password (%q):\n%s", where, s, text)
		}
	}
}

// checkDirNoSecret fails when any file under dir holds the password.
func checkDirNoSecret(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		checkNoSecret(t, path, string(b))
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("reading %s: %v, %d files", dir, err, n)
	}
}

// TestURLUserInfoIsBasicAuth: the user and password of the URL go as a
// Basic Authorization header, percent-decoded, in every mode and in hold
// --every, as curl, hey and k6 send them; an Authorization header given
// with -H wins; the password is never printed nor written to the result
// files, whose target shows user:***@.
func TestURLUserInfoIsBasicAuth(t *testing.T) {
	srv := startAuthServer(t)
	url := strings.Replace(srv.url, "http://", "http://us%40er:"+secretRaw+"@", 1) + "/auth"
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("us@er:"+secretDecoded))
	shown := strings.Replace(srv.url, "http://", "http://us%40er:***@", 1) + "/auth"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"async", []string{"run", url, "-n", "20", "-c", "2"}},
		{"sync", []string{"run", url, "-n", "20", "-c", "2", "--mode", "sync"}},
		{"goroutine", []string{"run", url, "-n", "20", "-c", "2", "--mode", "goroutine"}},
		{"goroutine pipelined", []string{"run", url, "-n", "20", "-c", "2", "--mode", "goroutine", "--pipeline", "2"}},
		{"hold", []string{"hold", url, "-c", "2", "-d", "300ms", "--every", "50ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			stdout, stderr, code := runBin(t, append(tc.args, "--out", dir)...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			seen := srv.take()
			if len(seen) == 0 {
				t.Fatalf("the server saw no request\n%s", stdout)
			}
			for _, h := range seen {
				if h != want {
					t.Fatalf("Authorization %q, want %q", h, want)
				}
			}
			checkNoSecret(t, "stdout", stdout)
			checkNoSecret(t, "stderr", stderr)
			checkDirNoSecret(t, dir)
			if !strings.Contains(stdout, "against "+shown) {
				t.Errorf("the target is not shown as %s:\n%s", shown, stdout)
			}
			if s := readSummary(t, dir); s.Target != shown {
				t.Errorf("summary.json target %q, want %q", s.Target, shown)
			}
		})
	}

	t.Run("-H wins", func(t *testing.T) {
		stdout, stderr, code := runBin(t, "run", url, "-n", "5", "-c", "1", "-H", "authorization: Bearer tok", "--json")
		if code != ExitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkNoSecret(t, "--json", stdout)
		for _, h := range srv.take() {
			if h != "Bearer tok" {
				t.Fatalf("Authorization %q, want the -H one alone", h)
			}
		}
	})

	t.Run("scenario file", func(t *testing.T) {
		path := writeFile(t, "auth.yaml", "target: "+url+"\nload:\n  connections: 1\n  requests: 5\n")
		stdout, stderr, code := runBin(t, "run", path)
		if code != ExitOK || len(srv.take()) != 5 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		checkNoSecret(t, "stdout", stdout)
		// A URL refused is quoted without its password too.
		bad := "http://us%40er:" + secretRaw + "@127.0.0.1:99999/"
		for _, args := range [][]string{{"run", bad}, {"validate", writeFile(t, "bad.yaml", "target: "+bad+"\n")}} {
			_, stderr, code = runBin(t, args...)
			if code != ExitUsage || !strings.Contains(stderr, "us%40er:***@") {
				t.Errorf("%v: exit %d, %s", args, code, stderr)
			}
			checkNoSecret(t, "the error", stderr)
		}
	})

	t.Run("compare", func(t *testing.T) {
		dir := t.TempDir()
		stdout, stderr, code := runBin(t, "compare", url, "--modes", "async", "--connections", "1", "-d", "200ms", "--pause", "0s", "--out", dir)
		if code != ExitOK || len(srv.take()) == 0 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		checkNoSecret(t, "stdout", stdout+stderr)
		checkDirNoSecret(t, dir)
	})
}
