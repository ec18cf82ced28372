#!/usr/bin/env bash
# Loading benchmark (issue 3): vecml reading cifar-10-python.tar.gz against `gzip -dc FILE > /dev/null`
# on the same file, in the same run; peak RSS of the whole JVM process. Needs /usr/bin/python3 with
# numpy (only to write the tarball once) and /usr/bin/time.
# Usage: bench/scripts/load-cifar.sh [WORK_DIR] [REPEATS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-/tmp/vecml-load-bench}
reps=${2:-5}
tgz=$work/cifar-10-python.tar.gz
mkdir -p "$work"
if [ ! -f "$tgz" ]; then
  "$here/vecml" data synth --like cifar10 --train 50000 --test 10000 --seed 1 --out "$work" 2>/dev/null
  /usr/bin/python3 "$here/bench/scripts/make_cifar_python.py" "$work/cifar-10-batches-bin" "$tgz"
fi
ls -l "$tgz"
"$here/vecml" info >/dev/null 2>&1 # builds the jar if needed
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$work/gzip.txt"; : > "$work/inside.txt"; : > "$work/process.txt"; : > "$work/rss.txt"; : > "$work/base.txt"
for i in $(seq "$reps"); do
  s=$(date +%s.%N); gzip -dc "$tgz" > /dev/null; e=$(date +%s.%N)
  echo "$e - $s" | bc -l >> "$work/gzip.txt"
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss1.txt" "$here/vecml" data info "$tgz" --json 2>/dev/null > "$work/info.json"
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l >> "$work/process.txt"
  cat "$work/rss1.txt" >> "$work/rss.txt"
  /usr/bin/python3 -c "import json;print(json.load(open('$work/info.json'))['loadSeconds'])" >> "$work/inside.txt"
  /usr/bin/time -f "%M" -o "$work/rss1.txt" "$here/vecml" --version >/dev/null 2>&1
  cat "$work/rss1.txt" >> "$work/base.txt"
done
g=$(median < "$work/gzip.txt"); in=$(median < "$work/inside.txt"); p=$(median < "$work/process.txt")
r=$(median < "$work/rss.txt"); b=$(median < "$work/base.txt")
printf 'gzip -dc                 median %.3f s  (%s)\n' "$g" "$(tr '\n' ' ' < "$work/gzip.txt")"
printf 'vecml load (in JVM)      median %.3f s  ratio %.2f\n' "$in" "$(echo "$in / $g" | bc -l)"
printf 'vecml process (total)    median %.3f s  ratio %.2f\n' "$p" "$(echo "$p / $g" | bc -l)"
printf 'peak RSS                 median %d MiB; JVM baseline (vecml --version) %d MiB; pixels 175.8 MiB;\n' \
  "$((r / 1024))" "$((b / 1024))"
printf '                         limit 1.3 x pixels + baseline = %d MiB\n' "$(echo "(1.3 * 184320000 / 1048576 + $b / 1024)/1" | bc)"
