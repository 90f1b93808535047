package cmd

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nowait/nowait/engine"
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
