package scenarios

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// setOrigin is where a --set override says it came from.
const setOrigin = "--set"

// Set overrides one key with a value, as `--set key=value` does: every key
// of a scenario file can be set ("load.rate", "target", "timeouts.request",
// "outputs.dir", "thresholds" ...). Lists take a compact form:
//
//	load.stages       30s:100,1m:1000       (DURATION:TARGET, comma separated)
//	load.source_ips   127.0.0.2,127.0.0.3
//	thresholds        p99 < 50ms,rps >= 1000 (replaces the list)
//	thresholds[N]     p99 < 50ms            (N = len appends)
//	requests[N].F     F one of method, path, body, body_file, weight, headers
//	requests[N].headers.NAME   value        (an empty value removes it)
//
// requests[N] with N equal to the number of requests appends a request. The
// value is checked as in a file; an error reads "--set load.rate: must be a
// number above 0, got \"fast\"", and a list (thresholds, load.stages,
// load.source_ips) has one per item that does not parse.
func (s *Scenario) Set(key, value string) error {
	return s.SetFrom(key, value, setOrigin)
}

// SetFrom is Set for an override given as origin, such as a flag
// ("-R/--rate"): its errors, and Validate's about the key, name origin, so
// a user who never typed --set is not told about it.
func (s *Scenario) SetFrom(key, value, origin string) error {
	key = normalizeKey(strings.TrimSpace(key))
	var err error
	switch key {
	case "thresholds":
		err = s.setThresholds(value, origin)
	case "load.stages":
		err = s.setStages(value, origin)
	case "load.source_ips":
		err = s.setSourceIPs(value, origin)
	default:
		if msg := s.set(key, value); msg != "" {
			err = &Error{Origin: origin, Key: key, Msg: msg}
		}
	}
	if err != nil {
		s.setFailed(key, true)
		return err
	}
	s.setOrigin(key, origin)
	s.setFailed(key, false)
	return nil
}

// SetKeyValue applies one "key=value" override.
func (s *Scenario) SetKeyValue(kv string) error {
	key, value, ok := strings.Cut(kv, "=")
	if !ok {
		return &Error{Origin: setOrigin, Msg: "want key=value such as load.rate=1000, got " + strconv.Quote(kv)}
	}
	return s.Set(key, value)
}

func (s *Scenario) set(key, value string) string {
	if l, ok := leaves[key]; ok {
		return l.set(s, value)
	}
	switch key {
	case "load", "timeouts", "tls", "outputs", "baseline", "requests":
		return "is a section; set one of its keys, such as " + firstKey(key)
	}
	if rest, ok := strings.CutPrefix(key, "thresholds["); ok {
		i, msg := index(rest, len(s.Thresholds))
		if msg != "" {
			return msg
		}
		if _, err := ParseThreshold(value); err != nil {
			return err.Error()
		}
		list := append([]string(nil), s.Thresholds...)
		if i == len(list) {
			list = append(list, value)
		} else {
			list[i] = value
		}
		s.Thresholds = list
		return ""
	}
	if rest, ok := strings.CutPrefix(key, "requests["); ok {
		return s.setRequest(rest, value)
	}
	return "unknown key; " + suggest(parentKey(key), last(key), knownIn(parentKey(key)))
}

// The lists set in their compact form (thresholds, load.stages,
// load.source_ips) are replaced whole, or left as they were when an item
// is bad: every bad item is a problem of its own, one line each, as in a
// file.

// setThresholds replaces the thresholds with the comma-separated list
// value.
func (s *Scenario) setThresholds(value, origin string) error {
	list := splitList(value)
	var msgs []string
	for _, t := range list {
		if _, err := ParseThreshold(t); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		return itemErrors("thresholds", origin, msgs)
	}
	s.Thresholds = list
	return nil
}

// setStages replaces the stages with those of value, such as
// "30s:100,1m:1000".
func (s *Scenario) setStages(value, origin string) error {
	var (
		stages []Stage
		msgs   []string
	)
	for _, t := range splitList(value) {
		st, msg := parseStage(t)
		if msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		stages = append(stages, st)
	}
	if len(msgs) > 0 {
		return itemErrors("load.stages", origin, msgs)
	}
	s.Load.Stages = stages
	return nil
}

// setSourceIPs replaces the source addresses with those of value, such
// as "127.0.0.2-127.0.0.9,127.0.1.1".
func (s *Scenario) setSourceIPs(value, origin string) error {
	var (
		ips  []netip.Addr
		msgs []string
	)
	for _, t := range splitList(value) {
		more, msg := parseIPs(t)
		if msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		ips = append(ips, more...)
	}
	if len(msgs) > 0 {
		return itemErrors("load.source_ips", origin, msgs)
	}
	s.Load.SourceIPs = ips
	return nil
}

// itemErrors is one error per bad item of the list at key, set at origin.
func itemErrors(key, origin string, msgs []string) error {
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		errs[i] = &Error{Origin: origin, Key: key, Msg: m}
	}
	return errors.Join(errs...)
}

// setRequest sets "N].field" of the requests.
func (s *Scenario) setRequest(rest, value string) string {
	i, msg := index(rest, len(s.Requests))
	if msg != "" {
		return msg
	}
	_, field, ok := strings.Cut(rest, "].")
	if !ok {
		return "set one field of a request, such as requests[0].path=/items"
	}
	var r Request
	if i < len(s.Requests) {
		r = s.Requests[i]
		r.Headers = append([]Header(nil), r.Headers...)
	}
	switch {
	case field == "headers":
		h, msg := parseHeaderLine(value)
		if msg != "" {
			return msg
		}
		r.Headers = setHeader(r.Headers, h)
	case strings.HasPrefix(field, "headers."):
		h := Header{Name: strings.TrimPrefix(field, "headers."), Value: strings.TrimSpace(value)}
		if msg := checkHeader(h); msg != "" {
			return msg
		}
		r.Headers = setHeader(r.Headers, h)
	default:
		set, ok := requestLeaves[field]
		if !ok {
			return "unknown key; " + suggest("requests["+strconv.Itoa(i)+"]", field, requestKeys)
		}
		if msg := set(&r, value, ""); msg != "" {
			return msg
		}
	}
	// Copy before writing so that copies of the Scenario never share it.
	reqs := append([]Request(nil), s.Requests...)
	if i == len(reqs) {
		reqs = append(reqs, r)
	} else {
		reqs[i] = r
	}
	s.Requests = reqs
	return ""
}

// setHeader replaces the header of the same name (case-insensitive), or
// appends it; an empty value removes it.
func setHeader(hs []Header, h Header) []Header {
	out := hs[:0]
	found := false
	for _, x := range hs {
		if strings.EqualFold(x.Name, h.Name) {
			if !found && h.Value != "" {
				out = append(out, h)
			}
			found = true
			continue
		}
		out = append(out, x)
	}
	if !found && h.Value != "" {
		out = append(out, h)
	}
	return out
}

// index parses "N]..." with 0 <= N <= n.
func index(rest string, n int) (int, string) {
	num, _, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 {
		return 0, "want an index such as [0]"
	}
	if i > n {
		return 0, "index " + num + " is past the end; there are " + strconv.Itoa(n) + " (use [" + strconv.Itoa(n) + "] to append)"
	}
	return i, ""
}

// normalizeKey turns "requests.0.path" into "requests[0].path".
func normalizeKey(key string) string {
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// parseStage parses one stage of load.stages' compact form, such as
// "30s:100".
func parseStage(t string) (Stage, string) {
	const want = `stages as DURATION:TARGET, comma separated, such as "30s:100,1m:1000"`
	var st Stage
	d, target, ok := strings.Cut(t, ":")
	if !ok {
		return st, mustBe(want, t)
	}
	if msg := stageLeaves["duration"](&st, strings.TrimSpace(d)); msg != "" {
		return st, "stage " + strconv.Quote(t) + ": duration " + msg
	}
	if msg := stageLeaves["target"](&st, strings.TrimSpace(target)); msg != "" {
		return st, "stage " + strconv.Quote(t) + ": target " + msg
	}
	return st, ""
}

// FormatStages is the inverse of the compact --set form of load.stages.
func FormatStages(stages []Stage) string {
	parts := make([]string, len(stages))
	for i, st := range stages {
		parts[i] = FormatDuration(st.Duration) + ":" + strconv.FormatFloat(st.Target, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}

// FormatDuration writes a duration as one would type it: 2h, 1h30m, 1m,
// 1m30s, 500ms, not Go's 2h0m0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// splitList splits a comma separated list, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// knownIn returns the keys of a section, for suggestions.
func knownIn(section string) []string {
	switch section {
	case "":
		return topKeys
	case "load":
		return loadKeys
	case "timeouts":
		return timeoutKeys
	case "tls":
		return tlsKeys
	case "outputs":
		return outputKeys
	case "baseline":
		return baselineKeys
	}
	return topKeys
}

func firstKey(section string) string {
	switch section {
	case "requests":
		return "requests[0].path"
	case "load":
		return "load.rate"
	}
	return section + "." + knownIn(section)[0]
}
