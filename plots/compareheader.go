package plots

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nowait/nowait/stats"
)

// CompareSetup is what every cell of a comparison ran with: the chart says
// it under its title, so that a chart pasted into a report keeps its
// context.
type CompareSetup struct {
	Target      string  // the URL, its password hidden
	DurationSec float64 // how long each cell ran, as asked
	Model       string  // closed or hold; empty: the cells' own
	Pipeline    int     // requests in flight per connection; 0 or 1: none pipelined
	EverySec    float64 // hold: each connection sends one request this often; 0: none
	ConnectRate float64 // hold: connects per second; 0: as fast as possible
	NoTLSResume bool    // https: a full TLS handshake on every connect
}

// kernelTimedNote explains the star on a hold comparison's connect time
// when goroutine is among its modes: fasthttp's dialer returns only when
// Go's scheduler runs the goroutine again, so goroutine mode takes the
// handshake's time from the kernel (see engine/goroutine), which leaves
// out what the other modes' connect times include.
const kernelTimedNote = "*goroutine's connect time is the kernel's timing of the TCP handshake (TCP_INFO), " +
	"without the system calls and scheduling the other modes' include"

// compareHeader titles a comparison of the modes drawn and says in the
// subtitle what every cell ran: the target, model, duration, pipelining,
// the hold model's request interval and connect rate, and TLS; and in
// the warning, the failed attempts and the cells left out. cells holds
// one drawn cell at least.
func compareHeader(setup CompareSetup, modes []string, cells []CompareCell) header {
	h := header{title: "nowait: " + strings.Join(modes, " vs ") + " by connection count"}
	drawn := slices.DeleteFunc(slices.Clone(cells), func(c CompareCell) bool { return c.LeftOut != "" })
	model := setup.Model
	if model == "" {
		model = drawn[0].Summary.Model
	}
	var what []string
	if model != "" {
		what = append(what, model+" model")
	}
	if setup.DurationSec > 0 {
		what = append(what, strconv.FormatFloat(roundSig(setup.DurationSec), 'f', -1, 64)+" s per cell")
	}
	if setup.Pipeline > 1 {
		what = append(what, "pipeline "+strconv.Itoa(setup.Pipeline))
	}
	if setup.EverySec > 0 {
		what = append(what, "a request per connection every "+strconv.FormatFloat(roundSig(setup.EverySec), 'f', -1, 64)+" s")
	}
	if setup.ConnectRate > 0 {
		what = append(what, strconv.FormatFloat(roundSig(setup.ConnectRate), 'f', -1, 64)+" connects/s")
	}
	if strings.HasPrefix(strings.ToLower(setup.Target), "https://") {
		tls := "TLS, sessions resumed"
		if setup.NoTLSResume {
			tls = "TLS, a full handshake per connect"
		}
		what = append(what, tls)
	}
	h.subtitle = setup.Target
	if len(what) > 0 {
		h.subtitle = strings.TrimPrefix(h.subtitle+" — "+strings.Join(what, ", "), " — ")
	}
	if model == "hold" && slices.Contains(modes, "goroutine") {
		h.subtitle += "; " + kernelTimedNote
	}
	var warn []string
	if w := failureWarning(modes, drawn); w != "" {
		warn = append(warn, w)
	}
	var left []string
	for _, c := range cells {
		if c.LeftOut != "" {
			left = append(left, fmt.Sprintf("%s at %s conns (%s)", c.Mode, stats.GroupDigits(int64(c.Connections)), c.LeftOut))
		}
	}
	if len(left) > 0 {
		warn = append(warn, "not drawn: "+strings.Join(left, ", "))
	}
	h.warning = strings.Join(warn, "; ")
	return h
}

// failureWarning says, when any cell had failed attempts (a status
// outside 200-399, a request error or a failed connect), each such mode's
// worst share and where, in the words of the report: "failed attempts:
// async up to 20.07% (20 conns), ...". Empty when nothing failed.
func failureWarning(modes []string, cells []CompareCell) string {
	var worst []string
	for _, mode := range modes {
		var w *CompareCell
		for i, c := range cells {
			if c.Mode == mode && c.Summary.Failed > 0 && (w == nil || c.Summary.ErrorRate > w.Summary.ErrorRate) {
				w = &cells[i]
			}
		}
		if w != nil {
			worst = append(worst, fmt.Sprintf("%s up to %s (%s conns)", mode, stats.Share(w.Summary.Failed, w.Summary.Attempts()),
				stats.GroupDigits(int64(w.Connections))))
		}
	}
	if len(worst) == 0 {
		return ""
	}
	return "failed attempts: " + strings.Join(worst, ", ")
}

