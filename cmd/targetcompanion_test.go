package cmd

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestTargetRefusesFlagsThatDoNothingAlone: --drip-every without the
// drip fault, --header-size without the big-header fault and
// --delay-dist without --delay shape nothing; the target refuses them
// (exit 2, naming the flag and its companion) instead of starting, as it
// refuses --cert-out without --tls. With their companions they start.
func TestTargetRefusesFlagsThatDoNothingAlone(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" when the target must start
	}{
		{[]string{"--drip-every", "1ms"}, "--drip-every 1ms needs --fault drip"},
		{[]string{"--header-size", "10"}, "--header-size 10 needs --fault big-header"},
		{[]string{"--delay-dist", "exponential"}, "--delay-dist exponential needs --delay"},
		{[]string{"--delay-dist", "uniform", "--jitter", "1ms"}, "--delay-dist uniform needs --delay"},
		{[]string{"--fault", "drip:10", "--drip-every", "1ms", "--fault", "big-header:5", "--header-size", "100", "--delay", "1ms", "--delay-dist", "exponential"}, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb syncBuffer
			root := newRootCmd(&app{stdout: &out, stderr: &errb})
			root.SetArgs(append([]string{"target", "--listen", "127.0.0.1:0"}, tc.args...))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err := root.ExecuteContext(ctx)
			started := strings.Contains(out.String(), "listening on")
			switch {
			case tc.want == "" && (!started || err != nil):
				t.Fatalf("error %v, stdout %q; want the target to start and serve until stopped", err, out.String())
			case tc.want == "":
			case started || exitCode(err) != ExitUsage || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %v (exit %d), stdout %q; want exit %d saying %q before it listens", err, exitCode(err), out.String(), ExitUsage, tc.want)
			}
		})
	}
}
