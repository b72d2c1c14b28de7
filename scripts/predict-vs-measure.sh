#!/usr/bin/env bash
# Whole-model prediction against measurement on this machine: for each model, `jouleflow predict`
# (the default model set, or --models DIR) and `jouleflow measure --no-layers`, both as JSON, and
# their ratio; then the RMSPE over the models. Models nobody here wrote are the point, e.g. the
# TF.js layers models of npm's @upscalerjs/esrgan-slim and -medium (`npm pack`, then their
# models/x*/model.json).
# A small model's whole-model figure varies by ±20 % from one JVM to the next on a 2-core machine,
# so each is measured --times N times (default 3), each in a fresh JVM, and the median taken.
#   scripts/predict-vs-measure.sh [--batch N] [--input HxWxC] [--models DIR] [--times N] MODEL...
set -euo pipefail
cd "$(dirname "$0")/.."
jar=launcher/target/jouleflow.jar
[[ -f $jar ]] || { echo "predict-vs-measure: no $jar; build first: mvn -B -DskipTests package" >&2; exit 1; }
batch=1; input=64x64x3; models=(); files=(); times=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --batch) batch=${2:?}; shift 2 ;;
    --input) input=${2:?}; shift 2 ;;
    --models) models=(--models "${2:?}"); shift 2 ;;
    --times) times=${2:?}; shift 2 ;;
    -*) echo "predict-vs-measure: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
[[ ${#files[@]} -gt 0 ]] || { echo "usage: scripts/predict-vs-measure.sh [--batch N] [--input HxWxC] [--models DIR] [--times N] MODEL..." >&2; exit 2; }
[[ $times =~ ^[1-9][0-9]*$ ]] || { echo "predict-vs-measure: --times must be a positive whole number" >&2; exit 2; }
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
total() { grep -o '"total":{"joules":[0-9.eE+-]*' | sed 's/.*://'; }
printf '%-60s %12s %12s %8s\n' MODEL PREDICTED_J "MEASURED_J(median of $times)" RATIO
errors=()
for f in "${files[@]}"; do
  p=$(java -jar "$jar" predict "$f" --batch "$batch" --input "$input" --format json "${models[@]}" 2>/dev/null | total) \
    || { echo "predict-vs-measure: predict failed for $f" >&2; exit 1; }
  ms=()
  for ((i = 0; i < times; i++)); do
    ms+=("$(java -jar "$jar" measure "$f" --batch "$batch" --input "$input" --no-layers --format json 2>/dev/null | total)") \
      || { echo "predict-vs-measure: measure failed for $f" >&2; exit 1; }
  done
  m=$(printf '%s\n' "${ms[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  r=$(awk -v p="$p" -v m="$m" 'BEGIN { printf "%.3f", p / m }')
  printf '%-60s %12.6f %12.6f %8s\n' "$f" "$p" "$m" "$r"
  errors+=("$r")
done
printf '%s\n' "${errors[@]}" | awk '{ e = $1 - 1; s += e * e; n++; if (e < 0) e = -e; if (e <= 0.15) w++ }
  END { printf "RMSPE %.1f %% over %d models, %d within 15 %%\n", 100 * sqrt(s / n), n, w }'
