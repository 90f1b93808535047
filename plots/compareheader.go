package plots

import (
	"strconv"
	"strings"
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

// compareHeader titles a comparison of modes and says in the subtitle
// what every cell ran: the target, model, duration, pipelining, the hold
// model's request interval and connect rate, and TLS.
func compareHeader(setup CompareSetup, modes []string, cells []CompareCell) header {
	h := header{title: "nowait: " + strings.Join(modes, " vs ") + " by connection count"}
	model := setup.Model
	if model == "" {
		model = cells[0].Summary.Model
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
	return h
}
