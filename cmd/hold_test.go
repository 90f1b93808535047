package cmd

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/stats"
	"github.com/nowait/nowait/target"
)

func TestHoldRefusesWhatDoesNotApply(t *testing.T) {
	url := "http://127.0.0.1:1/"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"hold", url, "-R", "100"}, "-R/--rate does not apply to hold"},
		{[]string{"hold", url, "--stages", "1s:10"}, "--stages does not apply to hold"},
		{[]string{"hold", url, "-n", "10"}, "-n/--requests does not apply to hold"},
		{[]string{"hold", url, "--connect-rate", "-5"}, "--connect-rate must be positive"},
		{[]string{"hold", url, "--every", "10us"}, "shorter than a millisecond"},
		{[]string{"hold", url, "--every", "0s"}, "--every must be positive, got 0s; leave it out for no requests"},
		{[]string{"hold", url, "--every", "0"}, "--every must be positive, got 0s; leave it out for no requests"},
		{[]string{"compare", url, "--model", "hold", "--every", "0s"}, "--every must be positive, got 0s; leave it out for no requests"},
		{[]string{"hold", url, "--source-ips", "127.0.0.9-127.0.0.2"}, "--source-ips: must be an IP address or a range"},
		{[]string{"hold", url, "--source-ips", "::1"}, "not of the target's family"},
		{[]string{"compare", url, "--model", "open"}, `--model "open" is not a model compare runs`},
		{[]string{"compare", url, "--every", "1s"}, "apply to --model hold only"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args[2:], " "), func(t *testing.T) {
			_, stderr, code := runBin(t, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, ExitUsage, tc.want)
			}
		})
	}
}

// TestSourceAddressesMustBeThisHosts: a --source-ips address the host
// does not have (192.0.2.0/24 is for documentation) is one line and exit
// 2 at once, not a full run of "address not available" connects.
func TestSourceAddressesMustBeThisHosts(t *testing.T) {
	for _, cmd := range []string{"hold", "run"} {
		start := time.Now()
		stdout, stderr, code := runBin(t, cmd, "http://127.0.0.1:1/", "-c", "4", "-d", "3s", "--source-ips", "127.0.0.2,192.0.2.7")
		want := "nowait: --source-ips: 192.0.2.7 is not an address of this host; give addresses it has, such as 127.0.0.2-127.0.0.9\n"
		if code != ExitUsage || stderr != want || stdout != "" || time.Since(start) > 2*time.Second {
			t.Fatalf("%s: exit %d after %s, stdout %q, stderr %q; want exit %d at once and %q",
				cmd, code, time.Since(start).Round(time.Millisecond), stdout, stderr, ExitUsage, want)
		}
	}
}

// A scenario's load.source_ips is checked as the flag is: an address the
// host does not have is refused by validate and by run before any load,
// exit 2, at its file:line. The QA's scenario passed validate, then ran
// its whole duration: "0 sent ... addr not available 38", exit 1.
func TestScenarioSourceAddressesMustBeThisHosts(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "srcip.yaml", "target: "+srv.URL()+"\nload:\n  connections: 4\n  duration: 3s\n  source_ips: [127.0.0.2, 192.0.2.7]\n")
	want := path + ":5: load.source_ips: 192.0.2.7 is not an address of this host; give addresses it has, such as 127.0.0.2-127.0.0.9"
	_, stderr, code := runBin(t, "validate", path)
	checkLines(t, "validate", stderr, code, []string{want}, "nowait: 1 of 1 scenario files are not valid")
	start := time.Now()
	stdout, stderr, code := runBin(t, "run", path)
	if code != ExitUsage || stderr != "nowait: "+want+"\n" || time.Since(start) > 2*time.Second {
		t.Fatalf("run: exit %d after %s, stdout %q, stderr %q; want exit %d at once and %q",
			code, time.Since(start).Round(time.Millisecond), stdout, stderr, ExitUsage, want)
	}
	if n := srv.Served(); n != 0 {
		t.Fatalf("the target served %d requests", n)
	}
}

func TestPortRangeCheckCountsSourceAddresses(t *testing.T) {
	ports, _ := ephemeralPorts()
	if ports == 0 {
		t.Skip("no " + portRangeFile + " here")
	}
	plan := &engine.Plan{Connections: ports + 1, Addrs: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}}
	err := checkPortRange(plan)
	if err == nil || !strings.Contains(err.Error(), "net.ipv4.ip_local_port_range") || !strings.Contains(err.Error(), "--source-ips") {
		t.Fatalf("%d connections from one address to one target: %v", plan.Connections, err)
	}
	plan.SourceAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
	if err := checkPortRange(plan); err != nil {
		t.Fatalf("two source addresses hold %d connections: %v", 2*ports, err)
	}
}

// TestOnlyUsedSourcesAreChecked: connection j uses address j mod n, so 4
// connections over a /16 use (and have bound) the first 4 addresses only;
// a closed ramp uses as many as its largest stage.
func TestOnlyUsedSourcesAreChecked(t *testing.T) {
	addrs := make([]netip.Addr, 1000)
	a := netip.MustParseAddr("127.0.0.1")
	for i := range addrs {
		addrs[i], a = a, a.Next()
	}
	plan := &engine.Plan{Connections: 4, SourceAddrs: addrs}
	if got := usedSources(plan); len(got) != 4 || got[3] != addrs[3] {
		t.Fatalf("4 connections use %d addresses, want the first 4", len(got))
	}
	plan.Model, plan.Stages = engine.ModelClosed, []engine.Stage{{Duration: time.Second, Target: 40}, {Duration: time.Second, Target: 10}}
	if got := usedSources(plan); len(got) != 40 {
		t.Fatalf("a ramp to 40 connections uses %d addresses, want 40", len(got))
	}
	plan.Connections = 5000
	if got := usedSources(plan); len(got) != 1000 {
		t.Fatalf("5000 connections over 1000 addresses use %d, want all 1000", len(got))
	}
}

// A hold that held no connection (nothing listening) gives no memory per
// connection: the text says why, and summary.json, --json and report have
// no rss_bytes_per_connection, beside peak_open_connections 0. A hold that
// held its connections has one.
func TestNoMemoryPerConnectionWhenNoneWasHeld(t *testing.T) {
	perConn := func(t *testing.T, what, js string) (any, bool) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, js)
		}
		v, ok := m["rss_bytes_per_connection"]
		return v, ok
	}
	dir := filepath.Join(t.TempDir(), "held")
	url := "http://" + closedPort(t) + "/"
	stdout, stderr, code := runBin(t, "hold", url, "-c", "20", "-d", "300ms", "--out", dir)
	if code != ExitRunFailed || !strings.Contains(stdout, "peak 0,") {
		t.Fatalf("exit %d; want %d, peak 0\n%s\n%s", code, ExitRunFailed, stdout, stderr)
	}
	if want := "at the peak; no connection was held, so none per connection\n"; !strings.Contains(stdout, want) || strings.Contains(stdout, "per held connection") {
		t.Errorf("hold text lacks %q:\n%s", want, stdout)
	}
	saved, err := os.ReadFile(filepath.Join(dir, stats.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, _, _ := runBin(t, "hold", url, "-c", "20", "-d", "300ms", "--json")
	report, _, _ := runBin(t, "report", dir, "--json")
	closed, _, _ := runBin(t, "run", url, "-c", "20", "-d", "300ms", "--json")
	for what, js := range map[string]string{"summary.json": string(saved), "hold --json": jsonOut, "report --json": report, "run --json": closed} {
		if v, ok := perConn(t, what, js); ok {
			t.Errorf("%s: rss_bytes_per_connection %v with no connection open; want it absent", what, v)
		}
	}
	if text, _, _ := runBin(t, "report", dir); !strings.Contains(text, "none per connection") {
		t.Errorf("report lacks the reason:\n%s", text)
	}

	srv := enginetest.StartTarget(t, target.Config{})
	held, stderr, code := runBin(t, "hold", srv.URL(), "-c", "3", "-d", "300ms", "--json")
	if v, ok := perConn(t, "a hold that held", held); code != ExitOK || !ok {
		t.Errorf("a hold that held 3: exit %d, rss_bytes_per_connection %v (present %v); want it present\n%s", code, v, ok, stderr)
	}
}
