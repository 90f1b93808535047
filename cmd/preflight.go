package cmd

import (
	"errors"

	"github.com/nowait/nowait/engine"
	"github.com/nowait/nowait/scenarios"
)

// preflight is what a run needs of the host and of its output paths
// before it sends anything.
type preflight struct {
	plan        *engine.Plan // connections, model, stages and source addresses; the target need not be resolved
	extraFDs    int          // descriptors needed besides the connections (an in-process target's)
	sourcesName valueName    // how the user gave the source addresses: --source-ips or load.source_ips
	out         outputs
	g           gates
}

// checkBeforeLoad makes every check of the host and of the output paths
// that a run makes before any load: the open-file limit, the ephemeral
// ports, the source addresses (each must be one of this host's), and the
// result directory and JUnit file (their directories
// created, as the writes after the run would create them, and noted in
// made). run calls it with its compiled plan; validate calls it with the
// scenario's PlanShape and removes what made notes again, so that it
// refuses exactly what run would refuse. Every problem found is
// returned, joined.
func checkBeforeLoad(p preflight, made *newDirs) error {
	return errors.Join(
		checkConnectionLimit(p.plan.Connections, p.extraFDs),
		checkPortRange(p.plan),
		checkSourcesBind(usedSources(p.plan), p.sourcesName),
		prepareOutputs(p.out, p.g, made),
	)
}

// valueName says how the user gave a value, for messages: a flag
// ("--out"), or a scenario key and where it was written.
type valueName struct {
	flag   string // "--out" when the flag gave it
	origin string // else where the key was written: "gate.yaml:5", "--set"
	key    string // and the key: "outputs.dir"
}

// String names the value as keyName did: "--out" or "gate.yaml:5: outputs.dir".
func (n valueName) String() string {
	switch {
	case n.flag != "":
		return n.flag
	case n.origin != "":
		return n.origin + ": " + n.key
	}
	return n.key
}

// problem is a usage error about a path, msg starting with the path
// itself: "--out /x cannot be created: ..." for a flag, and for a key the
// scenario's own "gate.yaml:5: outputs.dir: /x cannot be created: ...",
// which sorts by its line among the file's other problems.
func (n valueName) problem(msg string) error {
	if n.flag != "" {
		return usageErr("%s %s", n.flag, msg)
	}
	return &exitError{code: ExitUsage, err: &scenarios.Error{Origin: n.origin, Key: n.key, Msg: msg}}
}

// valueProblem is a usage error about the value: "--source-ips: msg" for
// a flag, "gate.yaml:3: load.source_ips: msg" for a key.
func (n valueName) valueProblem(msg string) error {
	if n.flag != "" {
		return usageErr("%s: %s", n.flag, msg)
	}
	return n.problem(msg)
}
