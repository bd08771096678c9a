#!/bin/bash
# Interleaved pairs of two child commands of the harness (see the README's "Interleaved
# pairs"): runs A and B N times each, alternating which goes first, and prints the median
# `elapsed_ns` of each and their ratio. Each command is one fresh process; the target must
# already be prepared (`... child <figure> <driver> prepare <target>`), and neither command
# may change it (no-op figures).
#
#   benches/runtime/scripts/pairs.sh 21 \
#     "benches/runtime/target/release/runtime-bench child noop sqlx-mysql floor $URL" \
#     "benches/runtime/target/release/runtime-bench child noop sqlx-mysql switchy $URL"
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 N 'command A' 'command B'" >&2
  exit 2
fi
n=$1
a=$2
b=$3
for i in $(seq "$n"); do
  if (( i % 2 )); then order="A B"; else order="B A"; fi
  for k in $order; do
    if [ "$k" = A ]; then command=$a; else command=$b; fi
    ns=$($command | grep -o 'elapsed_ns=[0-9]*' | cut -d= -f2)
    echo "$k $ns"
  done
done | python3 -c '
import statistics, sys
runs = {"A": [], "B": []}
for line in sys.stdin:
    key, value = line.split()
    runs[key].append(int(value))
a, b = statistics.median(runs["A"]), statistics.median(runs["B"])
print("A %.3f ms  B %.3f ms  B/A %.3f  (%d pairs)" % (a / 1e6, b / 1e6, b / a, len(runs["A"])))
'
