package cmd

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError turns the flag parser's error into nowait's one line: for a
// value that does not parse it names the flag as the help does and says
// what kind of value is wanted, instead of quoting strconv.
func flagError(c *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return usageErr("%v (see '%s --help')", err, c.CommandPath())
	}
	f := bad.GetFlag()
	if _, err := strconv.ParseFloat(bad.GetValue(), 64); err == nil && f.Value.Type() == "duration" {
		v := bad.GetValue()
		return usageErr("%s: %q has no unit; want a duration such as %ss or %sms (see '%s --help')", flagName(f), v, v, v, c.CommandPath())
	}
	return usageErr("%s: %q is not %s (see '%s --help')", flagName(f), bad.GetValue(), wantedValue(f), c.CommandPath())
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
