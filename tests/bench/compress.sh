#!/bin/sh
# compress.sh - what zlib compression (get -z, put -z) saves on the wire and
# costs in time: GET and PUT of a log-like text file and of a random file
# through ftpd on loopback, each without and with -z, side by side; the
# median of RUNS.
#
#   tests/bench/compress.sh [BUILD_DIR [SIZE_MIB [RUNS]]]
#   (defaults: build, 200, 3)
#
# The text is generated: log lines with timestamps, levels, worker ids,
# paths, status codes and numbers that vary from line to line (random
# numbers, so it compresses like real logs, not like a repeated line).
# Wire bytes are the DATA frames' bytes (headers included) that ftpd logs
# for each transfer (wire=).  Files live under ${TMPDIR:-/tmp}, the page
# cache warm; checksums on (the default), as a user would run it.  For each
# case: median wall time of the ftpc run, median CPU of ftpc plus ftpd, wire
# bytes; then the -z/plain ratios.  Needs /usr/bin/time, bc and python3.
set -eu
. "$(dirname "$0")/lib.sh"

BUILD=${1:-build}
SIZE_MIB=${2:-200}
RUNS=${3:-3}
bench_setup "$BUILD" zbench

python3 - "$TMP/work/text" $((SIZE_MIB * 1024 * 1024)) <<'PY'
import random, sys
rnd = random.Random(1)
size = int(sys.argv[2])
levels = ('INFO',) * 6 + ('DEBUG', 'DEBUG', 'WARN', 'ERROR')
paths = ('/api/v1/items', '/api/v1/users', '/api/v1/orders', '/login',
         '/static/app.js', '/static/style.css', '/health', '/metrics')
with open(sys.argv[1], 'w') as f:
    n = i = 0
    while n < size:
        lines = []
        for _ in range(1000):
            lines.append('2026-11-22T%02d:%02d:%02d.%03dZ %-5s [worker-%02d] '
                '%s %s/%d status=%d bytes=%d latency_ms=%.2f req=%08x\n' % (
                i // 36000 % 24, i // 600 % 60, i // 10 % 60,
                rnd.randrange(1000), rnd.choice(levels), rnd.randrange(32),
                rnd.choice(('GET', 'GET', 'GET', 'POST', 'PUT')),
                rnd.choice(paths), rnd.randrange(100000),
                rnd.choice((200,) * 8 + (304, 404, 500)),
                rnd.randrange(1, 99999), rnd.expovariate(0.05),
                rnd.getrandbits(32)))
            i += 1
        block = ''.join(lines)[:size - n]
        f.write(block)
        n += len(block)
PY
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$TMP/work/rand"
cp "$TMP/work/text" "$TMP/root/text"
cp "$TMP/work/rand" "$TMP/root/rand"
cat "$TMP/work/text" "$TMP/work/rand" "$TMP/root/text" "$TMP/root/rand" \
    >/dev/null


# One timed ftpc run: prints "wall cpu wire", cpu being ftpc's plus ftpd's,
# wire the DATA bytes of the transfer ftpd logged last.
timed() {
	d0=$(daemon_cpu)
	(cd "$TMP/work" && /usr/bin/time -f '%e %U %S' -o "$TMP/time" \
	    "$FTPC" -c "$1" "$ADDR") >/dev/null
	d1=$(daemon_cpu)
	read -r wall u s <"$TMP/time"
	wire=$(grep -o ' wire=[0-9]*' "$TMP/ftpd.log" | tail -1 | cut -d= -f2)
	echo "$wall $(echo "$u + $s + $d1 - $d0" | bc -l) $wire"
}


run_case() {
	rm -f "$TMP/work/out" "$TMP/root/up"
	timed "$2" >>"$TMP/$1.runs"
}

report() {
	median 1 <"$TMP/$1.runs" >"$TMP/$1"
	median 3 <"$TMP/$1.runs" >"$TMP/$1.wire"
	printf '%-12s wall %7.3f s %7.1f MiB/s  cpu %6.3f s  wire %11d B  ' \
	    "$1" "$(cat "$TMP/$1")" \
	    "$(echo "$SIZE_MIB / $(cat "$TMP/$1")" | bc -l)" \
	    "$(median 2 <"$TMP/$1.runs")" "$(cat "$TMP/$1.wire")"
	awk '{ printf "%s%s/%.2f", (NR > 1 ? " " : ""), $1, $2 }' \
	    "$TMP/$1.runs"
	echo
}

echo "size $SIZE_MIB MiB, median of $RUNS, $(nproc) CPUs, $(uname -r)"
for _ in $(seq "$RUNS"); do
	for f in text rand; do
		for z in "" "-z "; do
			n=${f}_get${z:+_z}
			run_case "$n" "get $z$f out"
			n=${f}_put${z:+_z}
			run_case "$n" "put $z$f up"
		done
	done
done
for f in text rand; do
	for op in get put; do
		report "${f}_$op"
		report "${f}_${op}_z"
		printf '%s %s -z: wire %.2fx fewer bytes, time %+.1f%%\n' "$f" "$op" \
		    "$(echo "$(cat "$TMP/${f}_$op.wire") / \
		    $(cat "$TMP/${f}_${op}_z.wire")" | bc -l)" \
		    "$(echo "100 * $(cat "$TMP/${f}_${op}_z") / \
		    $(cat "$TMP/${f}_$op") - 100" | bc -l)"
	done
done
