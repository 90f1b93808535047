// Command nowait is a load generator and benchmarking CLI.
package main

import (
	"os"

	"github.com/nowait/nowait/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
