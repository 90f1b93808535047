package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nowait/nowait/target"
)

func newTargetCmd(a *app) *cobra.Command {
	var listen string
	var cfg target.Config
	c := &cobra.Command{
		Use:   "target",
		Short: "Serve the built-in HTTP/1.1 target, with latency and fault knobs",
		Long: `Serve the built-in HTTP/1.1 target until interrupted.

Every path answers 200 with a body of --body-size bytes, except /status/N,
which answers with status N. The first line printed is "listening on ADDR".`,
		Example: `  nowait target --listen 127.0.0.1:8080
  nowait target --listen 127.0.0.1:8080 --delay 2ms --jitter 1ms --body-size 512`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return usageErr("%v", err)
			}
			srv, err := target.Start(listen, cfg)
			if err != nil {
				return runErr(err)
			}
			fmt.Fprintf(a.stdout, "listening on %s\n", srv.Addr())
			<-c.Context().Done()
			served := srv.Served()
			if err := srv.Close(); err != nil {
				return runErr(err)
			}
			fmt.Fprintf(a.stdout, "served %d responses\n", served)
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fl.IntVar(&cfg.BodySize, "body-size", target.DefaultBodySize, "bytes of body in each response")
	fl.DurationVar(&cfg.Delay, "delay", 0, "fixed delay before each response")
	fl.DurationVar(&cfg.Jitter, "jitter", 0, "extra random delay, uniform in [0, jitter)")
	fl.IntVar(&cfg.CloseAfter, "close-after", 0, "close each connection after this many responses (0: never)")
	return c
}
