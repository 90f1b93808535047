package scenarios

import (
	"sort"
	"strings"
)

// suggest tells what an unknown key in section may have meant: the same
// key in another section, else the nearest known key of this section (by
// edit distance), else the list of known keys.
func suggest(section, key string, known []string) string {
	lower := strings.ToLower(key)
	for _, k := range allKeys() {
		if last(k) == lower && parentKey(k) != section {
			return `did you mean "` + k + `"?`
		}
	}
	if near := Nearest(lower, known); len(near) > 0 {
		return `did you mean "` + joinKey(section, near[0]) + `"?`
	}
	return "want one of " + strings.Join(known, ", ")
}

// Nearest returns the words of known nearest to word by edit distance,
// in the order of known, when they are near enough to be a typo of it (a
// third of its letters or fewer changed, at least one): what scenario
// keys and flags suggest.
func Nearest(word string, known []string) []string {
	var near []string
	bestD := max(1, (len(word)+1)/3)
	for _, k := range known {
		switch d := levenshtein(word, k); {
		case d < bestD:
			near, bestD = []string{k}, d
		case d == bestD:
			near = append(near, k)
		}
	}
	return near
}

// allKeys returns every key a scenario has, dotted, with request and
// stage fields under index 0.
func allKeys() []string {
	keys := make([]string, 0, 48)
	for k := range leaves {
		keys = append(keys, k)
	}
	keys = append(keys, "load.stages", "load.source_ips", "thresholds")
	for _, k := range requestKeys {
		keys = append(keys, "requests[0]."+k)
	}
	sort.Strings(keys)
	return keys
}

// last returns the last segment of a dotted key.
func last(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[i+1:]
	}
	return k
}

// levenshtein returns the edit distance between a and b.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
