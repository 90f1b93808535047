package plots

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nowait/nowait/stats"
)

// What a spectrum says in words: its header, above the plot, and the
// texts of its legend.

// spectrumHeader says what was run, when the runs share it (see
// sharedAbout), how to read the two lines of a run timed from the
// intended send (open model, hold with requests), and beside them what
// the single line of any other run is, says which runs carry markers when
// there are more runs than colours, and warns when a generator was
// saturated.
func spectrumHeader(runs []Series) header {
	h := header{title: "Latency by percentile"}
	kinds := map[string]bool{}   // runs with two lines, by kind
	singles := map[string]bool{} // runs with one line, by model
	var saturated []string
	for _, s := range runs {
		switch {
		case s.open():
			kinds[s.kind()] = true
		case recorded(s.Latency):
			singles[s.model] = true
		}
		if s.Saturation.Saturated {
			saturated = append(saturated, s.Name)
		}
	}
	var notes []string
	if about := sharedAbout(runs); about != "" {
		notes = append(notes, about)
	}
	if len(kinds) > 0 {
		who := "open model"
		switch {
		case kinds["hold"] && kinds["open"]:
			who = "open model and hold runs with requests"
		case kinds["hold"]:
			who = "hold with requests"
		}
		notes = append(notes, who+": solid lines are latency from the intended send time (coordinated omission corrected), dashed lines the service time from the actual write")
		// Why: beside those, a reader would take every solid line for a
		// latency from the intended send.
		notes = append(notes, singleLineNotes(singles)...)
	}
	if anyFailed(runs) {
		notes = append(notes, "failed: of the attempts, those answered with a status outside 200-399 (in the lines) or ended by an error (not in them)")
	}
	if n := drawable(runs); n > paletteSize {
		notes = append(notes, fmt.Sprintf("%d runs share %d colours: runs after the %s carry markers", n, paletteSize, ordinal(paletteSize)))
	}
	h.subtitle = strings.Join(notes, "; ")
	if len(notes) > 1 && notes[0] == sharedAbout(runs) {
		// Why a full stop: what was run, then how to read the lines.
		rest := strings.Join(notes[1:], "; ")
		h.subtitle = notes[0] + ". " + strings.ToUpper(rest[:1]) + rest[1:]
	}
	if len(saturated) > 0 {
		h.warning = saturationWarning(runs, saturated)
	}
	return h
}

// sharedAbout says what the runs that have latency to draw have in
// common: what was run, when it was the same for all of them (one run,
// say), else the target they all loaded; "" when they differ in that
// too, or were not made by SeriesOf.
func sharedAbout(runs []Series) string {
	about, target := map[string]bool{}, map[string]bool{}
	for _, s := range runs {
		if recorded(s.Latency) {
			about[s.about], target[s.target] = true, true
		}
	}
	for a := range about {
		if len(about) == 1 {
			return a
		}
	}
	for t := range target {
		if len(target) == 1 {
			return t
		}
	}
	return ""
}

// anyFailed reports whether some run that has latency to draw had
// failed attempts.
func anyFailed(runs []Series) bool {
	for _, s := range runs {
		if f, _ := s.failed(); f > 0 && recorded(s.Latency) {
			return true
		}
	}
	return false
}

// singleLineNotes says what the one line of a run without a service
// time is, for each model among models: a closed-model run's response
// time is timed from the actual write.
func singleLineNotes(models map[string]bool) []string {
	var notes []string
	if models["closed"] {
		notes = append(notes, "closed model: one solid line, the response time from the actual write")
	}
	if models["open"] || models["hold"] {
		notes = append(notes, "runs saved without a service time: one solid line, the latency from the intended send time")
	}
	if models[""] {
		notes = append(notes, "other runs: one solid line, their latency")
	}
	return notes
}

// kind is the model of a run with two lines, for the subtitle that
// explains them: hold, or open.
func (s Series) kind() string {
	if s.model == "hold" {
		return "hold"
	}
	return "open"
}

// drawable counts the runs that have latency to draw.
func drawable(runs []Series) int {
	n := 0
	for _, s := range runs {
		if recorded(s.Latency) {
			n++
		}
	}
	return n
}

// ordinal spells 7 as "7th".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// saturationWarning names the saturated runs and, for one, its reason.
func saturationWarning(runs []Series, names []string) string {
	w := "schedule not kept (" + strings.Join(names, ", ") + "): latency includes the time sends waited"
	if len(runs) == 1 && runs[0].Saturation.Reason != "" {
		w = "schedule not kept: " + runs[0].Saturation.Reason
	}
	return w
}

// spectrumLegends names a line with its headline percentiles, the
// latency with its count (and failed share) or the service time of a run
// that has both, in three forms from the fullest to the shortest, one
// level of which a legend uses for all its lines: in full; with the kind
// of line said in a word (the subtitle says the rest); and without the
// count of responses.
func spectrumLegends(s Series, service bool) []string {
	h, what, short := s.Latency, "", ""
	if s.open() {
		what = " from intended send"
	}
	if service {
		h, what, short = s.Service, " service time", " service"
	}
	nums := ": " + latencies([]string{"p50", "p99", "max"},
		[]float64{msOf(stats.Quantile(h, 50)), msOf(stats.Quantile(h, 99)), msOf(h.Max())})
	if service {
		return []string{s.Name + what + nums, s.Name + short + nums, s.Name + short + nums}
	}
	// Why the failed share in every form: a run whose responses all
	// failed draws a line as healthy as any other. Why the count kept
	// longer than the words: the subtitle says what a solid line is.
	responses := stats.Count(h.TotalCount(), "response")
	count, failed := " ("+responses+")", ""
	if f := s.failedShare(); f != "" {
		count, failed = " ("+responses+", "+f+")", " ("+f+")"
	}
	return []string{s.Name + what + nums + count, s.Name + nums + count, s.Name + nums + failed}
}

// failed returns the attempts of s that failed, errors and responses
// with a failed status, and all its attempts (responses and errors), as
// the report counts them.
func (s Series) failed() (failed, attempts uint64) {
	return s.FailedStatus + s.Errors, s.Responses + s.Errors
}

// failedShare says what share of the attempts of s failed, as the
// report's Failed line does: "20.07% failed"; "" when none did.
func (s Series) failedShare() string {
	failed, attempts := s.failed()
	if failed == 0 || attempts == 0 {
		return ""
	}
	return stats.Share(failed, attempts) + " failed"
}

// latencies names the latencies ms (in milliseconds) as the axis writes
// them, in ms below a second and in s from one: the unit once at the end
// when they share it ("p50 0.251, p99 4.17, max 13.2 ms"; "p50 1.35, p99
// 2.65, max 2.68 s"), else each with its own ("p50 0.251 ms, p99 4.17
// ms, max 2.68 s").
func latencies(names []string, ms []float64) string {
	inS := func(ms float64) bool { return ms >= 999.5 } // what fmtMs writes as 1000 or more
	units := map[bool]bool{}
	for _, v := range ms {
		units[inS(v)] = true
	}
	parts := make([]string, len(ms))
	unit := ""
	for i, v := range ms {
		num, u := fmtMs(v), " ms"
		if inS(v) {
			num, u = fmtMs(v/1000), " s"
		}
		parts[i] = names[i] + " " + num
		if len(units) > 1 {
			parts[i] += u
		}
		unit = u
	}
	if len(units) == 1 {
		return strings.Join(parts, ", ") + unit
	}
	return strings.Join(parts, ", ")
}

// fmtMs formats milliseconds to about three significant digits: 0.123,
// 1.23, 12.3, 123, 1234.
func fmtMs(ms float64) string {
	switch { // by what the value rounds to: 0.9997 is 1.00, not 1.000
	case ms >= 99.95:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	case ms >= 9.995:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case ms >= 0.9995:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}
