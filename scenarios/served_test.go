package scenarios

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// seen is what the test server received for one request.
type seen struct {
	method, uri, host, cookie, ctype string
	body                             string
}

// TestCompiledRequestsAreServed sends each pre-encoded request of the
// checkout example, as compiled, to net/http's server on 127.0.0.1 and
// checks what the server parsed: the bytes are valid HTTP/1.1 and mean
// what the scenario says.
func TestCompiledRequestsAreServed(t *testing.T) {
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Host, r.Header.Get("Cookie"), r.Header.Get("Content-Type"), string(b)})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	s, err := Load("../examples/checkout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("target", srv.URL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	plan, err := s.Compile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", plan.Addrs[0].String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	// All three on one keep-alive connection, twice, as an engine would.
	for round := 0; round < 2; round++ {
		for i, r := range plan.Requests {
			if _, err := conn.Write(r.Raw); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("request %d: status %d", i, resp.StatusCode)
			}
		}
	}
	body, err := os.ReadFile("../examples/bodies/checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	host := plan.Addrs[0].String()
	want := []seen{
		{"GET", "/products?page=1", host, "", "", ""},
		{"GET", "/cart", host, "session=demo", "", ""},
		{"POST", "/checkout", host, "", "application/json", string(body)},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 6 {
		t.Fatalf("server saw %d requests, want 6", len(got))
	}
	for i, g := range got {
		if g != want[i%3] {
			t.Errorf("request %d:\n got  %+v\n want %+v", i, g, want[i%3])
		}
	}
}
