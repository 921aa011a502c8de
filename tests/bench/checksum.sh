#!/bin/sh
# checksum.sh - what end-to-end checksums cost: GET and PUT of one large
# file through ftpd on loopback, plaintext, checksums on (the default) vs
# off (ftpc --no-checksum), same build, side by side; the median of RUNS.
#
#   tests/bench/checksum.sh [BUILD_DIR [SIZE_MIB [RUNS]]]
#   (defaults: build, 1024, 3)
#
# GET is measured twice with checksums on: "cached" (the sum stored with
# the file by its upload, so ftpd still uses sendfile) and "computed" (the
# cache removed before each run, so ftpd reads, sums and sends each chunk).
# Files live in a temporary directory under ${TMPDIR:-/tmp}; the page cache
# is warm (the file is read once first), so this measures CPU and copies,
# not the disk (TMPDIR=/dev/shm takes the disk out entirely).  For each case
# it prints the median wall time (and MiB/s) and the median CPU time of
# ftpc plus ftpd (user + system), which a loaded machine disturbs less,
# then the on/off throughput ratios.  Needs /usr/bin/time and bc.
set -eu
. "$(dirname "$0")/lib.sh"

BUILD=${1:-build}
SIZE_MIB=${2:-1024}
RUNS=${3:-3}
bench_setup "$BUILD" sumbench

head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$TMP/work/src"
cat "$TMP/work/src" >/dev/null


# One timed ftpc run in the work directory: prints "wall cpu" seconds,
# cpu being ftpc's plus ftpd's during the run.
timed() {
	d0=$(daemon_cpu)
	(cd "$TMP/work" && /usr/bin/time -f '%e %U %S' -o "$TMP/time" \
	    "$FTPC" "$@" "$ADDR") >/dev/null
	d1=$(daemon_cpu)
	read -r wall u s <"$TMP/time"
	echo "$wall $(echo "$u + $s + $d1 - $d0" | bc -l)"
}


drop_sum() {
	python3 -c 'import os, sys
try: os.removexattr(sys.argv[1], "user.ftpf.crc32c")
except OSError: pass' "$TMP/root/f"
}

# run_case NAME OPTS COMMANDS PREP: one timed run (PREP first), appended
# to NAME's runs.
run_case() {
	name=$1 opts=$2 cmds=$3 prep=$4
	$prep
	rm -f "$TMP/work/out"
	# shellcheck disable=SC2086
	timed $opts -c "$cmds" >>"$TMP/$name.runs"
}

# report NAME: its median line.
report() {
	name=$1
	median 1 <"$TMP/$name.runs" >"$TMP/$name"
	printf '%-16s wall %7.3f s %7.1f MiB/s  cpu %6.3f s  (runs: %s)\n' \
	    "$name" "$(cat "$TMP/$name")" \
	    "$(echo "$SIZE_MIB / $(cat "$TMP/$name")" | bc -l)" \
	    "$(median 2 <"$TMP/$name.runs")" \
	    "$(awk '{ printf "%s%s/%.2f", (NR > 1 ? " " : ""), $1, $2 }' \
	    "$TMP/$name.runs")"
}

nothing() { :; }

echo "size $SIZE_MIB MiB, median of $RUNS, $(nproc) CPUs, $(uname -r)"
# Rounds of every case, so that the machine's changing load hits all alike.
CASES="put_off put_on get_off get_on_cached get_on_computed"
for _ in $(seq "$RUNS"); do
	run_case put_off --no-checksum "put src f" nothing
	run_case put_on "" "put src f" nothing
	run_case get_off --no-checksum "get f out" nothing
	run_case get_on_cached "" "get f out" nothing
	run_case get_on_computed "" "get f out" drop_sum
done
for c in $CASES; do
	report "$c"
done
for c in put_on get_on_cached get_on_computed; do
	off=get_off
	[ "$c" = put_on ] && off=put_off
	printf 'throughput %s / %s = %.1f%%\n' "$c" "$off" \
	    "$(echo "100 * $(cat "$TMP/$off") / $(cat "$TMP/$c")" | bc -l)"
done
