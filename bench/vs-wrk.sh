#!/usr/bin/env bash
# Runs nowait and wrk side by side against the built-in target, alternating
# A B A B, and prints requests/s and requests per client CPU-second.
#
#   bench/vs-wrk.sh                 # c=100 and c=1000, 3 pairs of 5 s runs
#   PAIRS=5 DURATION=10 bench/vs-wrk.sh
#   PIPELINE=16 CONNS=100 bench/vs-wrk.sh   # pipelining: wrk with a depth-16 Lua script
#   TLS=1 CONNS=100 bench/vs-wrk.sh         # HTTPS: the target with --tls; wrk does not verify
#                                           # certificates, nowait trusts the target's (--cacert)
#
# Besides the ratio of the medians it prints the ratio of each pair (the
# two runs of a pair are adjacent in time) and their median.
#
# The target runs on core 0, the generators on core 1, each with one
# thread/loop. Traffic goes only to 127.0.0.1. The machine is noisy (about
# ±30% run to run): read the ratio of the medians, not one run.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-"100 1000"}
PIPELINE=${PIPELINE:-1}
TLS=${TLS:-}

if ! command -v wrk >/dev/null; then
	echo "installing wrk from Debian's packages" >&2
	apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
ulimit -n "$(ulimit -Hn)"

bin=$(mktemp -d)/nowait
go build -o "$bin" .
work=$(mktemp -d)
trap 'kill $tpid 2>/dev/null || true; rm -rf "$work" "$(dirname "$bin")"' EXIT

tls_target=() tls_client=() scheme=http tag=
if [[ -n $TLS && $TLS != 0 ]]; then
	tls_target=(--tls --cert-out "$work/target.pem") tls_client=(--cacert "$work/target.pem") scheme=https tag=" https"
fi
taskset -c 0 "$bin" target --listen 127.0.0.1:0 "${tls_target[@]}" >"$work/target.log" &
tpid=$!
for _ in $(seq 50); do grep -q listening "$work/target.log" 2>/dev/null && break; sleep 0.1; done
addr=$(awk '/listening on/ {print $3}' "$work/target.log") # ADDR, or with --tls https://ADDR/
[[ -n $addr ]] || { echo "the target did not start" >&2; exit 1; }
url="http://$addr/"
[[ $scheme == https ]] && url=$addr

lua="$work/pipeline.lua"
cat >"$lua" <<LUA
init = function(args)
  local r = {}
  for i = 1, $PIPELINE do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
LUA

# run_tool NAME CONNS -> prints "requests cpu_seconds rss_kb"
run_tool() {
	local tool=$1 c=$2 out="$work/out" t="$work/time"
	if [[ $tool == wrk ]]; then
		local script=()
		[[ $PIPELINE -gt 1 ]] && script=(-s "$lua")
		/usr/bin/time -f '%U %S %M' -o "$t" taskset -c 1 wrk -t1 -c"$c" -d"${DURATION}s" "${script[@]}" "$url" >"$out" 2>&1
		# wrk prints "N requests in ..."
		req=$(awk '/requests in/ {print $1}' "$out")
	else
		/usr/bin/time -f '%U %S %M' -o "$t" taskset -c 1 "$bin" run "$url" -c "$c" -d "${DURATION}s" --loops 1 --pipeline "$PIPELINE" "${tls_client[@]}" --json >"$out" 2>&1
		req=$(grep -m1 '"responses"' "$out" | tr -dc '0-9')
	fi
	read -r u s m <"$t"
	echo "$req $(calc "$u + $s") $m"
}

calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-8s %6s %4s %12s %14s %10s\n' tool conns pair "req/s" "req/CPU-s" "RSS(KB)"
for c in $CONNS; do
	: >"$work/wrk.rps"; : >"$work/wrk.eff"; : >"$work/nw.rps"; : >"$work/nw.eff"; : >"$work/pair.ratio"
	for p in $(seq "$PAIRS"); do
		for tool in wrk nowait; do
			read -r req cpu rss < <(run_tool "$tool" "$c")
			rps=$(calc "$req / $DURATION")
			eff=$(calc "$req / $cpu")
			printf '%-8s %6s %4s %12.0f %14.0f %10s\n' "$tool" "$c" "$p" "$rps" "$eff" "$rss"
			key=$([[ $tool == wrk ]] && echo wrk || echo nw)
			echo "$rps" >>"$work/$key.rps"; echo "$eff" >>"$work/$key.eff"
			sleep 1
		done
		# The two runs of a pair are adjacent in time, so they share the
		# machine's mood: their ratio is steadier than either figure.
		calc "$(tail -1 "$work/nw.eff") / $(tail -1 "$work/wrk.eff")" >>"$work/pair.ratio"
	done
	wr=$(median <"$work/wrk.rps"); we=$(median <"$work/wrk.eff")
	nr=$(median <"$work/nw.rps"); ne=$(median <"$work/nw.eff")
	printf 'c=%s pipeline=%s'"$tag"' medians: wrk %.0f req/s %.0f req/CPU-s | nowait %.0f req/s %.0f req/CPU-s | ratio nowait/wrk: %.2fx req/s, %.2fx req/CPU-s\n' \
		"$c" "$PIPELINE" "$wr" "$we" "$nr" "$ne" "$(calc "$nr / $wr")" "$(calc "$ne / $we")"
	printf 'c=%s pipeline=%s'"$tag"' req/CPU-s ratio of each pair: %s; median %.2fx\n' \
		"$c" "$PIPELINE" "$(xargs printf '%.2f ' <"$work/pair.ratio")" "$(median <"$work/pair.ratio")"
done
