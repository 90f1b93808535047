package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nowait/nowait/scenarios"
)

// isScenarioFile reports whether a run argument names a scenario file
// rather than a URL: a .yaml, .yml or .json name, or any file that exists (as
// validate reads it: scen.json is YAML too), but never a URL.
func isScenarioFile(arg string) bool {
	if strings.Contains(arg, "://") {
		return false
	}
	if ext := strings.ToLower(filepath.Ext(arg)); ext == ".yaml" || ext == ".yml" || ext == ".json" {
		return true
	}
	fi, err := os.Stat(arg)
	return err == nil && fi.Mode().IsRegular()
}

// flagKeys maps the flags of `run` to the scenario keys they override.
var flagKeys = map[string]string{
	"connections":     "load.connections",
	"duration":        "load.duration",
	"requests":        "load.requests",
	"loops":           "load.loops",
	"pipeline":        "load.pipeline",
	"rate":            "load.rate",
	"warmup":          "load.warmup",
	"stages":          "load.stages",
	"source-ips":      "load.source_ips",
	"mode":            "mode",
	"insecure":        "tls.insecure",
	"cacert":          "tls.ca_file",
	"no-tls-resume":   "tls.resume",
	"method":          "requests[0].method",
	"body":            "requests[0].body",
	"body-file":       "requests[0].body_file",
	"timeout":         "timeouts.request",
	"connect-timeout": "timeouts.connect",
	"latency":         "outputs.latency",
	"json":            "outputs.json",
	"out":             "outputs.dir",
	"junit":           "outputs.junit",
	"baseline":        "baseline.file",
	"max-regression":  "baseline.max_regression",
}

// loadScenario reads a scenario file and applies --set and then the flags
// the user gave (flags win over the file, as over --set).
// Every problem of the file, the overrides and the flags is reported at
// once, as validate reports them.
func loadScenario(c *cobra.Command, path string, f *runFlags) (*scenarios.Scenario, error) {
	sc, errs := readScenario(path, f.sets)
	if sc == nil {
		return nil, scenarioErr(scenarios.JoinErrors(errs...))
	}
	c.Flags().Visit(func(fl *pflag.Flag) {
		var setErr error
		defer func() { errs = append(errs, setErr) }()
		switch fl.Name {
		case "set":
			return
		case "header":
			for _, h := range f.headers {
				name, value, ok := strings.Cut(h, ":")
				if !ok || strings.TrimSpace(name) == "" {
					errs = append(errs, usageErr("-H %q: want a header as 'Name: value'", h))
					continue
				}
				errs = append(errs, sc.SetFrom("requests[0].headers."+strings.TrimSpace(name), strings.TrimSpace(value), flagName(fl)))
			}
			return
		case "closed":
			setErr = sc.SetFrom("load.model", "closed", flagName(fl))
			return
		case "no-tls-resume": // the key says the opposite of the flag
			setErr = sc.SetFrom(flagKeys[fl.Name], strconv.FormatBool(!f.noTLSResume), flagName(fl))
			return
		}
		key, ok := flagKeys[fl.Name]
		if !ok {
			setErr = usageErr("--%s has no scenario key and cannot be used with a scenario file", fl.Name)
			return
		}
		setErr = sc.SetFrom(key, fl.Value.String(), flagName(fl))
	})
	errs = append(errs, sc.Validate())
	if err := scenarios.JoinErrors(errs...); err != nil {
		return nil, scenarioErr(err)
	}
	return sc, nil
}

// readScenario loads the scenario file at path and applies the --set
// overrides sets, going on past a problem so that every one is found: it
// returns the scenario (nil when the file could not be read as one) and
// the problems so far, to which Validate's are to be added.
func readScenario(path string, sets []string) (*scenarios.Scenario, []error) {
	sc, err := scenarios.Load(path)
	errs := []error{err}
	if sc == nil {
		return nil, errs
	}
	for _, kv := range sets {
		errs = append(errs, sc.SetKeyValue(kv))
	}
	return sc, errs
}

// scenarioErr maps the scenarios package's errors to exit codes.
func scenarioErr(err error) error {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, scenarios.ErrResolve):
		return runErr(err)
	}
	return &exitError{code: ExitUsage, err: err}
}

// runScenario runs a scenario file with its thresholds and baseline.
func (a *app) runScenario(c *cobra.Command, path string, f *runFlags) error {
	sc, err := loadScenario(c, path, f)
	if err != nil {
		return err
	}
	plan, err := sc.Compile(c.Context())
	if err != nil {
		return scenarioErr(err)
	}
	if c.Flags().Changed("max-regression") && sc.Baseline.File == "" {
		// A margin in the file may wait for a --baseline given in CI; a
		// margin typed now with nothing to compare would do nothing.
		return usageErr("--max-regression %s: there is no baseline to compare with; give --baseline summary.json (or baseline.file) too, or drop it", f.maxRegression)
	}
	out, g := scenarioOutputs(c, sc)
	if sc.Baseline.File != "" {
		b, err := scenarios.ReadSummary(sc.Baseline.File)
		if err != nil {
			return scenarioErr(fmt.Errorf("baseline.file: %w", err))
		}
		g.baseline = &b
	}
	if !out.json {
		fmt.Fprintf(a.stdout, "Scenario %s (%s)\n", sc.NameOrDefault(), path)
	}
	return a.execute(c.Context(), sc.ModeOrDefault(), preflight{plan: plan, sourcesName: keyName(c, sc, "source-ips"), out: out, g: g})
}

// scenarioOutputs returns what a scenario's run prints and writes, and
// its gates without the baseline (read by the run; Validate reads it the
// same way), as run and validate both see them.
func scenarioOutputs(c *cobra.Command, sc *scenarios.Scenario) (outputs, gates) {
	out := outputs{dir: sc.Outputs.Dir, dirName: keyName(c, sc, "out"), json: sc.Outputs.JSON, latency: sc.Outputs.Latency}
	g := gates{suite: sc.NameOrDefault(), scenario: sc, junit: sc.Outputs.JUnit, junitName: keyName(c, sc, "junit"), maxRegression: sc.Baseline.MaxRegressionOrDefault()}
	return out, g
}

// keyName names a scenario key in a message as the user gave it: the flag
// when it was given, else the key where it was written ("checkout.yaml:12:
// outputs.dir").
func keyName(c *cobra.Command, sc *scenarios.Scenario, flag string) valueName {
	if c.Flags().Changed(flag) {
		return valueName{flag: "--" + flag}
	}
	key := flagKeys[flag]
	return valueName{origin: sc.Where(key), key: key}
}

// checkScenarioBeforeLoad makes the checks of the host and of the output
// paths that a run of sc makes before any load (checkBeforeLoad), without
// running it, and removes the directories it made to check them.
func checkScenarioBeforeLoad(c *cobra.Command, sc *scenarios.Scenario) error {
	out, g := scenarioOutputs(c, sc)
	var made newDirs
	defer made.removeEmpty()
	return checkBeforeLoad(preflight{plan: sc.PlanShape(), sourcesName: keyName(c, sc, "source-ips"), out: out, g: g}, &made)
}

func newValidateCmd(a *app) *cobra.Command {
	var sets []string
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Check scenario files without running them: YAML syntax, known keys, values,
conflicts, thresholds, and the files and directories a run would read or
write (body_file, tls.ca_file, baseline.file, outputs.dir, outputs.junit),
and what run checks of this host before any load (the open-file limit for
the connections, the ephemeral ports): validate refuses what run would
refuse before sending anything. To check the output paths it creates
the missing directories as run would, and removes them again. Every
problem of a file is reported at once, as file:line: key: what is wrong.
Exits 0 when all are valid, 2 otherwise.`,
		Example: `  nowait validate examples/*.yaml`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("validate takes one or more scenario files (see 'nowait validate --help')")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			bad := 0
			for _, path := range args {
				sc, errs := readScenario(path, sets)
				if sc != nil {
					errs = append(errs, sc.Validate(), checkScenarioBeforeLoad(c, sc))
				}
				if err := scenarios.JoinErrors(errs...); err != nil {
					bad++
					fmt.Fprintln(a.stderr, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s: ok\n", path)
			}
			if bad > 0 {
				return usageErr("%d of %d scenario files are not valid", bad, len(args))
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&sets, "set", nil, "override a key before checking, such as --set load.rate=8000")
	return c
}
