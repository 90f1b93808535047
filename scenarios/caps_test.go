package scenarios

import "testing"

// TestOnlyWeightsAreCapped: the 1,000,000 cap is for request weights
// (relative, summed into a wheel); counts above it are valid, in a file
// and with --set.
func TestOnlyWeightsAreCapped(t *testing.T) {
	s, err := Parse("big.yaml", []byte("target: http://127.0.0.1:8080/\nload:\n  requests: 2000000\n  connections: 1500000\n"))
	if err != nil {
		t.Fatalf("counts above 1,000,000 refused: %v", err)
	}
	if err := s.Set("load.requests", "3000000"); err != nil {
		t.Fatalf("--set load.requests=3000000 refused: %v", err)
	}
	if s.Load.Requests != 3000000 || s.Load.Connections != 1500000 {
		t.Fatalf("requests %d connections %d", s.Load.Requests, s.Load.Connections)
	}
	if _, err := Parse("heavy.yaml", []byte("target: http://127.0.0.1:8080/\nrequests:\n  - {weight: 2000000}\n")); err == nil {
		t.Fatal("a weight of 2,000,000 was accepted")
	}
}
