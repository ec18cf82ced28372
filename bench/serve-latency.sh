#!/usr/bin/env bash
# Latency of vecml serve as an evaluation backend (issue 13 point 5; BENCHMARKS.md "Serve latency"):
# starts `vecml serve` on a free port with --data-dir DIR, loads DATA (Fashion-MNIST by default), fits a kNN
# model and sends 1,000 one-row predict requests from 1 and from 8 concurrent clients (p50/p99), after
# measuring the memory bandwidth and the time to stream the training set once. Arguments after the data
# go to the load generator (io.vecml.bench.ServeLatency), e.g. --metric l1 --k 1 --requests 2000.
# Both JVMs log their safepoints (every stop-the-world pause: collections, deoptimisations) and collections
# to bench/target/serve-latency/{server,load-generator}.log; the load generator reads both logs and says,
# for each run, how many pauses fell inside it and how much of the slowest 1 % of requests they explain.
# The server's own options: VECML_SERVE_ARGS (e.g. "--workers 2"); its JVM's: VECML_JAVA_OPTS.
#   bench/serve-latency.sh [DATA_DIR [DATA [args...]]]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/find-jdk.sh
. "$here/scripts/find-jdk.sh"
vecml_find_jdk || exit 1
dir=${1:-/usr/share/datasets}
data=${2:-fashion-mnist}
shift $(( $# < 2 ? $# : 2 ))
cd "$here"
./mvnw -q -B -ntp -DskipTests -pl cli,bench -am package
logs=$here/bench/target/serve-latency
mkdir -p "$logs"
rm -f "$logs/server.log" "$logs/load-generator.log"
xlog=safepoint,gc
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores;" \
  "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
VECML_JAVA_OPTS="${VECML_JAVA_OPTS:-} -Xlog:$xlog:file=$logs/server.log:timemillis" \
  ./vecml serve --port 0 --data-dir "$dir" ${VECML_SERVE_ARGS:-} >"$log" 2>/dev/null &
pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'http://[^ ]*' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "vecml serve did not start:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "vecml serve printed no URL" >&2; kill "$pid"; exit 1; }
url=${url%,}
status=0
grep -o 'listening on .*' "$log" | head -n 1 | sed 's/^/vecml serve /'
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx4g \
  "-Xlog:$xlog:file=$logs/load-generator.log:timemillis" \
  -cp bench/target/benchmarks.jar io.vecml.bench.ServeLatency --url "$url" --data "$data" --local "$dir/$data" \
  --server-log "$logs/server.log" --own-log "$logs/load-generator.log" --server-pid "$pid" "$@" \
  2> >(grep -v 'Using incubator modules' >&2) || status=$?
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); JVM logs in $logs"
curl -s -X POST "$url/shutdown" >/dev/null || kill "$pid"
wait "$pid" || true
exit $status
