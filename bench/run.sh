#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them; writes JSON to bench-results/ and prints the Markdown
# tables of BENCHMARKS.md. Arguments go to JMH, e.g.
#   bench/run.sh KernelBench -p dim=3072        # one class, one dimension
#   bench/run.sh 'GemmBench' -p shape=2048x2048x2048
#   bench/run.sh -l                             # list the benchmarks
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/find-jdk.sh
. "$here/scripts/find-jdk.sh"
vecml_find_jdk || exit 1
cd "$here"
./mvnw -q -B -ntp -DskipTests -pl bench -am package
mkdir -p bench-results
out="bench-results/jmh-$(date +%Y%m%d-%H%M%S).json"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -jar bench/target/benchmarks.jar -rf json -rff "$out" "$@"
if [ -s "$out" ]; then
  echo
  echo "Results: $out"
  "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.vecml.bench.Report "$out"
fi
