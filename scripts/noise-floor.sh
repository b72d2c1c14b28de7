#!/usr/bin/env bash
# The measurement noise floor: one model configuration measured whole N times (default 5), each in
# a fresh JVM, as `jouleflow measure MODEL --no-layers --format json`; prints each run's joules per
# inference, their mean and the coefficient of variation (standard deviation / mean). No
# prediction can be held to a tighter error than this on the same machine.
#   scripts/noise-floor.sh zoo:MobileNet --batch 1 --input 96x96x3 [--times 5] [other measure options]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=launcher/target/jouleflow.jar
[[ -f $jar ]] || { echo "noise-floor: no $jar; build first: mvn -B -DskipTests package" >&2; exit 1; }
[[ $# -ge 1 && $1 != -* ]] || { echo "usage: scripts/noise-floor.sh MODEL [--times N] [measure options]" >&2; exit 2; }
model=$1; shift
times=5
args=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == --times ]]; then times=${2:?--times needs a number}; shift 2; else args+=("$1"); shift; fi
done
[[ $times =~ ^[0-9]+$ && $times -ge 2 ]] || { echo "noise-floor: --times must be at least 2" >&2; exit 2; }
values=()
for i in $(seq 1 "$times"); do
  json=$(TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} java -jar "$jar" measure "$model" --no-layers --format json "${args[@]}" 2>/dev/null) \
    || { echo "noise-floor: run $i failed: java -jar $jar measure $model --no-layers ${args[*]}" >&2; exit 1; }
  j=$(grep -o '"total":{"joules":[0-9.eE+-]*' <<<"$json" | sed 's/.*://')
  busy=$(grep -o '"busy":[a-z]*' <<<"$json" | sed 's/.*://' || true)
  printf 'run %d: %.6f J/inference%s\n' "$i" "$j" "$([[ $busy == true ]] && echo ' (machine busy)')"
  values+=("$j")
done
printf '%s\n' "${values[@]}" | awk -v n="$times" '{ s += $1; q += $1 * $1 } END {
  m = s / n; sd = sqrt((q - n * m * m) / (n - 1)); printf "mean %.6f J/inference, coefficient of variation %.2f %% (%d runs, separate processes)\n", m, 100 * sd / m, n }'
