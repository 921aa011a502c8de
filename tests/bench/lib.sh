# shellcheck shell=sh
# lib.sh - what the single-daemon benchmarks share (sourced, not run): the
# binaries, a scratch directory removed on exit, one ftpd on an ephemeral
# loopback port, its CPU time, and medians.

# ftpd refuses root unless told; benchmarks serve a scratch tree.
bench_root_flag() {
	[ "$(id -u)" != 0 ] || echo --allow-root
}

# bench_setup BUILD_DIR NAME: sets FTPD, FTPC, TMP (with root/ and work/),
# PID and ADDR of a started ftpd serving $TMP/root, logging to
# $TMP/ftpd.log.
bench_setup() {
	[ -x "$1/bin/ftpd" ] && [ -x "$1/bin/ftpc" ] ||
	    { echo "no ftpd/ftpc in $1/bin" >&2; exit 2; }
	FTPD=$(cd "$1/bin" && pwd)/ftpd
	FTPC=$(cd "$1/bin" && pwd)/ftpc
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/ftpf-$2.XXXXXX")
	PID=
	trap bench_cleanup EXIT INT TERM
	mkdir "$TMP/root" "$TMP/work"
	# shellcheck disable=SC2046  # no flag or one, never a split word
	"$FTPD" --root "$TMP/root" --listen 127.0.0.1:0 \
	    --port-file "$TMP/port" $(bench_root_flag) 2>"$TMP/ftpd.log" &
	PID=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$TMP/port" ] || { echo "ftpd did not start" >&2; exit 1; }
	ADDR=127.0.0.1:$(cat "$TMP/port")
	TCK=$(getconf CLK_TCK)
}

bench_cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}

# ftpd's CPU seconds so far (user + system, from /proc).
daemon_cpu() { awk -v t="$TCK" '{ print ($14 + $15) / t }' "/proc/$PID/stat"; }

# The median of column $1 of the lines on stdin.
median() {
	awk -v c="$1" '{ print $c }' | sort -g |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
