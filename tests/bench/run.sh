#!/usr/bin/env bash
# run.sh - the benchmark: one run measures ftpd and ftpc side by side with
# the raw TCP ceiling on this machine, and prints a Markdown report (with
# ratios to the ceiling measured in the same run) to standard output.
# Progress goes to standard error.
#
#   tests/bench/run.sh [BUILD_DIR]        (default: build-bench, then build)
#
# Environment: BENCH_WORK (scratch directory, default /var/tmp: on the same
# disk as everything else here), BENCH_RUNS (runs of each 1 GiB transfer,
# default 5; medians are reported), BENCH_SECONDS (length of each GET
# rate run, default 10), BENCH_MIXED_SECONDS (default 30), BENCH_BIG
# (bytes of the "1 GiB" file; smaller only for a quick trial).
#
# Needs socat (installed with apt-get when missing, if root) and python3
# (to read ftpc bench's JSON); uses hyperfine when installed.  Benchmarks
# are not tests: nothing here fails on a slow result, only on an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-}
if [[ -z $build ]]; then
	build=$repo/build-bench
	[[ -x $build/bin/ftpd ]] || build=$repo/build
fi
FTPD=$build/bin/ftpd
FTPC=$build/bin/ftpc
RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_SECONDS:-10}
MIXED_SECS=${BENCH_MIXED_SECONDS:-30}
GIB=${BENCH_BIG:-$((1024 * 1024 * 1024))} # bytes of the big file

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

[[ -x $FTPD && -x $FTPC ]] || die "no ftpd/ftpc in $build/bin (build first)"
if ! command -v socat >/dev/null; then
	say "installing socat"
	{ apt-get update -qq && apt-get install -y -qq socat; } >&2 ||
	    die "socat is missing and could not be installed"
fi
command -v python3 >/dev/null || die "python3 is needed"
if ! command -v hyperfine >/dev/null && [[ $(id -u) -eq 0 ]]; then
	say "installing hyperfine (optional)"
	apt-get install -y -qq hyperfine >&2 || say "no hyperfine: a shell loop instead"
fi

work=$(mktemp -d "${BENCH_WORK:-/var/tmp}/ftpf-bench.XXXXXX")
ftpd_pid=
cleanup() {
	if [[ -n $ftpd_pid ]]; then
		kill "$ftpd_pid" 2>/dev/null || true
		wait "$ftpd_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { python3 -c "print('%.4f' % ($2 - $1))"; }
median() { python3 -c 'import statistics,sys; print("%.4f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
calc() { python3 -c "print($1)"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

# One daemon at a time, on a fresh root; extra arguments go to ftpd.
start_ftpd() {
	local root=$1; shift
	rm -f "$work/port"
	mkdir -p "$root"
	[ "$(id -u)" != 0 ] || set -- --allow-root "$@"
	"$FTPD" --root "$root" --listen 127.0.0.1:0 --port-file "$work/port" \
	    "$@" 2>>"$work/ftpd.log" &
	ftpd_pid=$!
	for _ in $(seq 200); do
		[[ -s $work/port ]] && break
		sleep 0.05
	done
	[[ -s $work/port ]] || die "ftpd did not start: $(tail -5 "$work/ftpd.log")"
	port=$(cat "$work/port")
	addr=127.0.0.1:$port
}

stop_ftpd() {
	kill -TERM "$ftpd_pid"
	local rc=0
	wait "$ftpd_pid" || rc=$?
	ftpd_pid=
	[[ $rc -eq 0 ]] || die "ftpd exited with $rc"
}

# The load this run allows: every connection comes from 127.0.0.1.
MANY=(--max-clients 20000 --max-per-address 100000)

# ---- the machine -----------------------------------------------------------
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
machine="$(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $((mem_kib / 1024)) MiB RAM, Linux $(uname -r)"
fs=$(df -T "$work" | awk 'NR == 2 {print $2 " on " $1}')
say "machine: $machine; scratch $work ($fs)"

# ---- 1 GiB: the raw TCP ceiling, then ftpd + ftpc ------------------------
say "making a 1 GiB file"
src=$work/src.bin
head -c "$GIB" /dev/urandom >"$src"

# Starts the socat receiver on a free port below the ephemeral range;
# sets lport and rx.
raw_listen() {
	for _ in $(seq 20); do
		lport=$((10000 + RANDOM % 20000))
		socat -u -b1048576 "TCP-LISTEN:$lport,bind=127.0.0.1" \
		    "OPEN:$work/raw.out,creat,trunc" 2>/dev/null &
		rx=$!
		for _ in $(seq 100); do
			kill -0 "$rx" 2>/dev/null || break
			ss -Hltn "sport = :$lport" | grep -q . && return 0
			sleep 0.02
		done
		kill "$rx" 2>/dev/null || true
		wait "$rx" 2>/dev/null || true
	done
	die "socat cannot listen"
}

raw_copy() {
	local lport rx t0 t1 t2
	rm -f "$work/raw.out"
	raw_listen
	t0=$(now)
	socat -u -b1048576 "OPEN:$src" "TCP:127.0.0.1:$lport"
	wait "$rx"
	t1=$(now)
	sync "$work/raw.out"
	t2=$(now)
	[[ $(stat -c %s "$work/raw.out") -eq $GIB ]] || die "socat copy is short"
	raw_t+=("$(elapsed "$t0" "$t1")")
	raw_sync_t+=("$(elapsed "$t0" "$t2")")
	rm -f "$work/raw.out"
}

# timed NAME CMD...: appends the seconds CMD took to the array NAME.
timed() {
	local -n into=$1
	local t0 t1
	shift
	t0=$(now)
	"$@"
	t1=$(now)
	into+=("$(elapsed "$t0" "$t1")")
}

# ratio A B: the median over runs of A[i] / B[i] (ceiling time over ours).
ratio() {
	local -n ra=$1 rb=$2
	python3 -c 'import statistics,sys; n=(len(sys.argv)-1)//2; x=sys.argv[1:n+1]; y=sys.argv[n+1:]; print("%.0f%%" % (100 * statistics.median(float(p)/float(q) for p,q in zip(x,y))))' "${ra[@]}" "${rb[@]}"
}

start_ftpd "$work/root" "${MANY[@]}"
cp "$src" "$work/root/big"
sum_src=$(sha256sum <"$src" | cut -d' ' -f1)
# ftpc verifies transfers with CRC-32C by default when it can; both ways
# are measured when it has the switch.
nosum=()
"$FTPC" --help | grep -q -- --no-checksum && nosum=(--no-checksum)

# Interleaved, so that load from elsewhere on the machine hits the ceiling
# and ftpd alike; each run's ratio is taken against its own ceiling.
raw_t=() raw_sync_t=() get_t=() put_t=() get_ns_t=() put_ns_t=()
for i in $(seq "$RUNS"); do
	raw_copy
	timed get_t "$FTPC" -c "get big $work/got.bin" "$addr"
	timed put_t "$FTPC" -c "put $src up.bin" "$addr"
	if [[ ${#nosum[@]} -gt 0 ]]; then
		timed get_ns_t "$FTPC" "${nosum[@]}" -c "get big $work/got.bin" "$addr"
		timed put_ns_t "$FTPC" "${nosum[@]}" -c "put $src up.bin" "$addr"
	fi
	say "run $i: raw ${raw_t[-1]} s (${raw_sync_t[-1]} s with fsync), get ${get_t[-1]} s, put ${put_t[-1]} s${nosum:+ (no checksum: get ${get_ns_t[-1]} s, put ${put_ns_t[-1]} s)}"
done
[[ $(sha256sum <"$work/got.bin" | cut -d' ' -f1) == "$sum_src" ]] || die "GET copy differs"
[[ $(sha256sum <"$work/root/up.bin" | cut -d' ' -f1) == "$sum_src" ]] || die "PUT copy differs"
rm -f "$work/got.bin" "$work/root/up.bin" "$work/root/big" "$src"
raw=$(median "${raw_t[@]}")
raw_sync=$(median "${raw_sync_t[@]}")
get=$(median "${get_t[@]}")
put=$(median "${put_t[@]}")
get_r=$(ratio raw_t get_t)
put_r=$(ratio raw_t put_t)
put_rs=$(ratio raw_sync_t put_t)
get_ns= put_ns=
if [[ ${#nosum[@]} -gt 0 ]]; then
	get_ns=$(median "${get_ns_t[@]}")
	put_ns=$(median "${put_ns_t[@]}")
	get_ns_r=$(ratio raw_t get_ns_t)
	put_ns_r=$(ratio raw_t put_ns_t)
	put_ns_rs=$(ratio raw_sync_t put_ns_t)
fi

# ---- 4 KiB GETs per second --------------------------------------------------
declare -A rate p50 p99 errs
for n in 1 10 100 1000; do
	say "4 KiB GETs over $n connection(s), $SECS s"
	"$FTPC" bench "$addr" --clients "$n" --duration "$SECS" --op get \
	    --size 4096 --files 100 --json >"$work/get$n.json"
	rate[$n]=$(json "$work/get$n.json" ops_per_sec)
	p50[$n]=$(json "$work/get$n.json" p50_ms)
	p99[$n]=$(json "$work/get$n.json" p99_ms)
	errs[$n]=$(json "$work/get$n.json" errors)
	say "  ${rate[$n]} GETs/s, p50 ${p50[$n]} ms, p99 ${p99[$n]} ms"
done

# ---- LIST of a 1,000-entry directory ----------------------------------------
say "LIST of a 1,000-entry directory, $SECS s"
mkdir -p "$work/root/list1000"
"$FTPC" bench "$addr" --clients 1 --duration "$SECS" --op list \
    --dir list1000 --files 1000 --size 0 --json >"$work/list.json"
list_rate=$(json "$work/list.json" ops_per_sec)
list_p50=$(json "$work/list.json" p50_ms)
list_errs=$(json "$work/list.json" errors)

# ---- a whole ftpc process: connect + list + quit ---------------------------
say "whole ftpc process: connect + ls + quit"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 20 --runs 1000 --export-json "$work/hf.json" \
	    "$FTPC -c ls $addr" >&2
	proc_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % (r["median"] * 1e3))' "$work/hf.json")
	proc_how="hyperfine -N, median of 1,000"
else
	t0=$(now)
	for _ in $(seq 1000); do "$FTPC" -c ls "$addr" >/dev/null; done
	t1=$(now)
	proc_ms=$(calc "'%.3f' % (($t1 - $t0) / 1000 * 1e3)")
	proc_how="shell loop, mean of 1,000"
fi
stop_ftpd

# ---- idle connections: memory, BUSY, one LIST each -------------------------
declare -A rss busy_ms listed
for n in 1000 10000; do
	say "$n idle connections"
	rm -rf "$work/root-idle"
	start_ftpd "$work/root-idle" --max-clients "$n" --max-per-address 100000
	"$FTPC" bench "$addr" --idle "$n" --probe --server-pid "$ftpd_pid" \
	    --json >"$work/idle$n.json"
	rss[$n]=$(json "$work/idle$n.json" rss_per_conn_kib)
	busy_ms[$n]=$(json "$work/idle$n.json" probe_ms)
	[[ $(json "$work/idle$n.json" probe) == busy ]] || die "connection $((n + 1)) was not refused BUSY"
	listed[$n]=$(json "$work/idle$n.json" listed)
	[[ $(json "$work/idle$n.json" errors) == 0 ]] || die "idle run had errors"
	stop_ftpd
	say "  ${rss[$n]} KiB per connection, ${listed[$n]} listed, BUSY after ${busy_ms[$n]} ms"
done
idle_total_10k=$(json "$work/idle10000.json" rss_after_kib)

# ---- 1,000 clients, mixed, 30 s -----------------------------------------------
say "1,000 clients, mixed list/get/put, $MIXED_SECS s"
rm -rf "$work/root"
start_ftpd "$work/root" "${MANY[@]}"
"$FTPC" bench "$addr" --clients 1000 --duration "$MIXED_SECS" --op mix \
    --json >"$work/mixed.json" || true
mixed_ops=$(json "$work/mixed.json" ops)
mixed_rate=$(json "$work/mixed.json" ops_per_sec)
mixed_errs=$(json "$work/mixed.json" errors)
mixed_p50=$(json "$work/mixed.json" p50_ms)
mixed_p99=$(json "$work/mixed.json" p99_ms)
mixed_bytes=$(json "$work/mixed.json" bytes)

# ---- SIGTERM with 1,000 clients transferring --------------------------------
say "SIGTERM with 1,000 clients transferring (grace 10 s)"
"$FTPC" bench "$addr" --clients 1000 --duration 600 --op mix --size 262144 \
    --files 20 --json >"$work/term.json" 2>"$work/term.err" &
bench_pid=$!
sleep 8
t0=$(now)
kill -TERM "$ftpd_pid"
term_rc=0
wait "$ftpd_pid" || term_rc=$?
t1=$(now)
ftpd_pid=
bench_rc=0
wait "$bench_pid" || bench_rc=$?
term_s=$(elapsed "$t0" "$t1")
term_errs=$(json "$work/term.json" errors)
term_ops=$(json "$work/term.json" ops)
temps=$(find "$work/root" -name '.ftpd-part.*' | wc -l)
bad=$(find "$work/root" -maxdepth 1 -name 'b262144-*' ! -size 262144c | wc -l)
say "  ftpd exit $term_rc after $term_s s; bench exit $bench_rc, $term_ops ops, $term_errs errors; $temps temporaries, $bad bad files"

# ---- the report -----------------------------------------------------------------
mib=$(calc "$GIB / 1048576")
r() { calc "'%.1f' % ($mib / $1)"; }          # MiB/s for 1 GiB in $1 s
cat <<EOF
### Results

Machine: $machine; scratch files on $fs.
Command: \`tests/bench/run.sh $build\` (BENCH_RUNS=$RUNS, BENCH_SECONDS=$SECS,
BENCH_MIXED_SECONDS=$MIXED_SECS); $(date -u '+%Y-%m-%d %H:%M UTC').

| measurement | result | vs. raw TCP ceiling | goal |
|---|---|---|---|
| raw TCP ceiling: 1 GiB through \`socat -b1048576\` into a file (median of $RUNS; the ratios below are medians of per-run ratios) | $raw s, $(r "$raw") MiB/s | 100% | |
| same, plus fsync of the copy | $raw_sync s, $(r "$raw_sync") MiB/s | $(ratio raw_t raw_sync_t) | |
| \`ftpc get\` 1 GiB, disk to disk, whole process (median) | $get s, $(r "$get") MiB/s | $get_r | ≥ 90% |
| \`ftpc put\` 1 GiB, disk to disk, durable (fsync) on OK (median) | $put s, $(r "$put") MiB/s | $put_r ($put_rs of ceiling+fsync) | ≥ 90% |
EOF
if [[ -n $get_ns ]]; then
	cat <<EOF
| \`ftpc --no-checksum get\` 1 GiB (median) | $get_ns s, $(r "$get_ns") MiB/s | $get_ns_r | |
| \`ftpc --no-checksum put\` 1 GiB (median) | $put_ns s, $(r "$put_ns") MiB/s | $put_ns_r ($put_ns_rs of ceiling+fsync) | |
EOF
fi
cat <<EOF
| 4 KiB GETs/s, 1 connection ($SECS s) | ${rate[1]}/s (p50 ${p50[1]} ms, p99 ${p99[1]} ms, ${errs[1]} errors) | | ≥ 10,000/s |
| 4 KiB GETs/s, 10 connections | ${rate[10]}/s (p50 ${p50[10]} ms, p99 ${p99[10]} ms, ${errs[10]} errors) | | |
| 4 KiB GETs/s, 100 connections | ${rate[100]}/s (p50 ${p50[100]} ms, p99 ${p99[100]} ms, ${errs[100]} errors) | | ≥ 20,000/s |
| 4 KiB GETs/s, 1,000 connections | ${rate[1000]}/s (p50 ${p50[1000]} ms, p99 ${p99[1000]} ms, ${errs[1000]} errors) | | |
| LIST of a 1,000-entry directory, 1 connection | ${list_rate}/s (p50 ${list_p50} ms, ${list_errs} errors) | | |
| whole \`ftpc -c ls\` process: connect + list + quit ($proc_how) | $proc_ms ms | | ≤ 5 ms |
| ftpd RSS per idle connection, 1,000 held | ${rss[1000]} KiB | | ≤ 64 KiB |
| ftpd RSS per idle connection, 10,000 held (all then LIST: ${listed[10000]} ok) | ${rss[10000]} KiB (total RSS $idle_total_10k KiB) | | ≤ 64 KiB |
| connection 1,001 with \`--max-clients 1000\` (1,000 held) | BUSY after ${busy_ms[1000]} ms | | < 100 ms |
| connection 10,001 with \`--max-clients 10000\` | BUSY after ${busy_ms[10000]} ms | | |
| 1,000 clients, mixed list/get/put of 4 KiB files, $MIXED_SECS s | $mixed_ops ops, $mixed_rate ops/s, p50 $mixed_p50 ms, p99 $mixed_p99 ms, **$mixed_errs errors**, $mixed_bytes bytes verified | | 0 errors |
| SIGTERM with 1,000 clients transferring 256 KiB files | ftpd exit $term_rc after $term_s s (grace 10 s); bench exit $bench_rc with $term_errs errors after $term_ops ops; $temps temporaries, $bad partial files | | exit 0, nothing partial |
EOF
