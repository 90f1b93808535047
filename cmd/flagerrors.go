package cmd

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nowait/nowait/scenarios"
	"github.com/nowait/nowait/stats"
)

// flagError turns the flag parser's error into nowait's one line: for a
// value that does not parse it names the flag as the help does and says
// what kind of value is wanted, instead of quoting strconv.
func flagError(c *cobra.Command, err error) error {
	var unknown *pflag.NotExistError
	if errors.As(err, &unknown) && strings.HasPrefix(err.Error(), "unknown flag: --") {
		name := unknown.GetSpecifiedName()
		if near := scenarios.Nearest(name, flagNames(c)); len(near) > 0 {
			return usageErr("unknown flag --%s; did you mean --%s? (see '%s --help')", name, strings.Join(near, " or --"), c.CommandPath())
		}
	}
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return usageErr("%v (see '%s --help')", err, c.CommandPath())
	}
	f := bad.GetFlag()
	if msg := outOfRange(f, bad.GetValue()); msg != "" {
		return usageErr("%s: %s (see '%s --help')", flagName(f), msg, c.CommandPath())
	}
	if _, err := strconv.ParseFloat(bad.GetValue(), 64); err == nil && f.Value.Type() == "duration" {
		v := bad.GetValue()
		return usageErr("%s: %q has no unit; want a duration such as %ss or %sms (see '%s --help')", flagName(f), v, v, v, c.CommandPath())
	}
	return usageErr("%s: %q is not %s (see '%s --help')", flagName(f), bad.GetValue(), wantedValue(f), c.CommandPath())
}

// durationSyntax is what time.ParseDuration reads: numbers with units.
var durationSyntax = regexp.MustCompile(`^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$`)

// outOfRange says why value, refused by the flag parser, is refused
// when it is a number or duration of f's type but too large for it
// ("99999999999999999999 is too large, at most
// 9,223,372,036,854,775,807"), or "" when it is not one at all.
func outOfRange(f *pflag.Flag, value string) string {
	var numErr *strconv.NumError
	switch typ := f.Value.Type(); typ {
	case "int", "int64", "int32":
		most := int64(math.MaxInt64)
		if typ == "int32" {
			most = math.MaxInt32
		}
		n, err := strconv.ParseInt(value, 0, 64)
		switch {
		case err == nil && n > most:
		case err == nil && n < -most-1:
			return value + " is too small; want a whole number such as " + exampleOr(f, "100")
		case !errors.As(err, &numErr) || numErr.Err != strconv.ErrRange:
			return ""
		case strings.HasPrefix(value, "-"):
			return value + " is too small; want a whole number such as " + exampleOr(f, "100")
		}
		return fmt.Sprintf("%s is too large, at most %s", value, stats.GroupDigits(most))
	case "float64", "float32":
		if _, err := strconv.ParseFloat(value, 64); errors.As(err, &numErr) && numErr.Err == strconv.ErrRange {
			return value + " is too large a number; want one such as " + exampleOr(f, "1000")
		}
	case "duration":
		if durationSyntax.MatchString(value) {
			return fmt.Sprintf("%s is too long, at most %dh (about 292 years)", value, math.MaxInt64/int64(time.Hour))
		}
	}
	return ""
}

// flagNames returns the long names of the flags c shows in its help.
func flagNames(c *cobra.Command) []string {
	var names []string
	c.Flags().VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden {
			names = append(names, fl.Name)
		}
	})
	return names
}

// flagName names a flag as the messages do: -c/--connections.
func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// wantedValue says what a flag of f's type takes.
func wantedValue(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return fmt.Sprintf("a whole number; want one such as %s", exampleOr(f, "100"))
	case "float64", "float32":
		return fmt.Sprintf("a number; want one such as %s", exampleOr(f, "1000"))
	case "duration":
		return "a duration; want one such as 10s, 500ms or 1m30s"
	case "bool":
		return "true or false"
	}
	return "a valid " + f.Value.Type()
}

// exampleOr gives the flag's default as an example when it is not zero.
func exampleOr(f *pflag.Flag, fallback string) string {
	if d := f.DefValue; d != "" && d != "0" {
		return d
	}
	return fallback
}

// emptyWants says what each string flag takes, for the message that
// refuses it empty.
var emptyWants = map[string]string{
	"out":            "a directory such as results/today",
	"output":         "a file such as spectrum.png",
	"junit":          "a file such as report.xml",
	"baseline":       "a saved summary.json",
	"max-regression": "a percentage such as 10%",
	"body-file":      "a file to read the body from",
	"cacert":         "a PEM file such as target.pem",
	"cert-out":       "a file such as target.pem",
	"source-ips":     "addresses such as 127.0.0.2-127.0.0.9",
	"mode":           "async, sync or goroutine",
	"modes":          "a list such as async,sync,goroutine",
	"connections":    "a list such as 10,100,1000",
	"listen":         "an address such as 127.0.0.1:8080",
	"size":           "WIDTHxHEIGHT in inches such as 8x5",
	"stages":         "DURATION:TARGET,... such as 10s:1000,20s:5000",
}

// emptyValues refuses a string flag given with an empty value (-o ""):
// it would mean the flag's default, which is surely not what was asked,
// and was accepted without a word. --body "" is a body, the empty one.
func emptyValues(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil || fl.Value.Type() != "string" || fl.Name == "body" || strings.TrimSpace(fl.Value.String()) != "" {
			return
		}
		want := emptyWants[fl.Name]
		if want == "" {
			want = "a value"
		}
		err = usageErr("%s is empty; give %s, or leave it out", flagName(fl), want)
	})
	return err
}

// keyFlags names the flag behind each scenario key a command line sets,
// for the problems Validate finds in a scenario made of flags alone.
var keyFlags = map[string]string{
	"load.connections":      "-c/--connections",
	"load.duration":         "-d/--duration",
	"load.requests":         "-n/--requests",
	"load.loops":            "-t/--loops",
	"load.pipeline":         "--pipeline",
	"load.rate":             "-R/--rate",
	"load.warmup":           "--warmup",
	"load.stages":           "--stages",
	"load.source_ips":       "--source-ips",
	"load.connect_rate":     "--connect-rate",
	"load.every":            "--every",
	"mode":                  "--mode",
	"requests[0].method":    "-m/--method",
	"requests[0].headers":   "-H/--header",
	"requests[0].body":      "--body",
	"requests[0].body_file": "--body-file",
	"timeouts.request":      "--timeout",
	"timeouts.connect":      "--connect-timeout",
	"tls.ca_file":           "--cacert",
}

// namedByFlags rewrites the problems Validate found in a scenario made of
// flags, which name the scenario keys nobody typed ("load.rate: must be a
// number above 0, got NaN"), to name the flags instead ("-R/--rate must
// be a number above 0, got NaN"). A problem whose key no flag sets, or
// that names where it was set (a flag given with a scenario file), is
// kept as it is.
func namedByFlags(err error) error {
	var lines []string
	renamed := false
	for _, e := range flatten(err) {
		var se *scenarios.Error
		if !errors.As(e, &se) || se.Origin != "" {
			lines = append(lines, e.Error())
			continue
		}
		key, _, _ := strings.Cut(se.Key, "[") // load.stages[2].target: --stages
		flag := keyFlags[se.Key]
		if flag == "" {
			flag = keyFlags[key]
		}
		switch {
		case flag == "":
			lines = append(lines, e.Error())
			continue
		case strings.HasPrefix(se.Msg, "must "):
			lines = append(lines, flag+" "+se.Msg)
		default:
			lines = append(lines, flag+": "+se.Msg)
		}
		renamed = true
	}
	if !renamed {
		return err // as it was, with its exit code
	}
	return usageErr("%s", strings.Join(lines, "\n"))
}

// flatten returns the errors joined in err (errors.Join), or err alone.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
