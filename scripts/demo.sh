#!/usr/bin/env bash
# The main job of a new user: build, start the example inference service with the jouleflow agent,
# predict its per-layer energy from the architecture, drive load, and show what the agent observed
# per layer next to the prediction, and the /metrics URL.
# Usage: scripts/demo.sh [--seconds N] [--keep]
#   --seconds N   length of the load phase (default 30)
#   --keep        leave the service running afterwards (stop it with Ctrl-C)
# Environment: DEMO_PORT (service, default 8080), METRICS_PORT (agent, default 9464).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "demo: --seconds must be a whole number" >&2; exit 2 ;; esac
for tool in java mvn curl; do
  command -v "$tool" >/dev/null || { echo "demo: '$tool' is not installed" >&2; exit 1; }
done

port="${DEMO_PORT:-8080}"
metrics_port="${METRICS_PORT:-9464}"
work=target/demo
mkdir -p "$work"

echo "== building (mvn package, tests skipped)"
mvn -B -q -DskipTests package

cp="examples/target/jouleflow-examples-0.1.0-SNAPSHOT.jar:$(cat examples/target/classpath.txt)"
echo "== starting the example service with -javaagent:agent/target/jouleflow-agent.jar"
TF_CPP_MIN_LOG_LEVEL=2 java \
  "-javaagent:agent/target/jouleflow-agent.jar=prometheus.port=${metrics_port},trace.every=20" \
  -cp "$cp" example.service.InferenceService --port "$port" --model-dir "$work/tiny_resnet" \
  >"$work/service.out" 2>"$work/service.err" &
pid=$!
cleanup() { if [ "$keep" = 0 ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

for _ in $(seq 1 300); do
  grep -q "listening on" "$work/service.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "demo: the service exited; its log:" >&2; cat "$work/service.err" >&2; exit 1; }
  sleep 0.2
done
grep -q "listening on" "$work/service.out" || { echo "demo: the service did not start within 60 s" >&2; exit 1; }
grep '^\[jouleflow\]' "$work/service.err" || true

batch=4
echo "== before deploy: the prediction for the model the service just exported (batch ${batch})"
TF_CPP_MIN_LOG_LEVEL=2 java -jar predictor/target/jouleflow.jar predict "$work/tiny_resnet" --batch "$batch" \
  2>/dev/null | tee "$work/predicted.txt"
TF_CPP_MIN_LOG_LEVEL=2 java -jar predictor/target/jouleflow.jar predict "$work/tiny_resnet" --batch "$batch" \
  --format csv 2>/dev/null > "$work/predicted.csv" || true

echo "== driving load for ${seconds} s (batch ${batch} on http://127.0.0.1:${port}/predict)"
end=$(( $(date +%s) + seconds ))
n=0
while [ "$(date +%s)" -lt "$end" ]; do
  curl -sf "http://127.0.0.1:${port}/predict?batch=${batch}&seed=${n}" >/dev/null \
    || { echo "demo: request ${n} failed" >&2; exit 1; }
  n=$(( n + 1 ))
  if [ $(( n % 100 )) = 0 ]; then
    printf '\r   %d requests, %d s left ' "$n" "$(( end - $(date +%s) ))"
  fi
done
printf '\r   %d requests sent                \n' "$n"
sleep 1

metrics=$(curl -sf "http://127.0.0.1:${metrics_port}/metrics") \
  || { echo "demo: no metrics at http://127.0.0.1:${metrics_port}/metrics" >&2; exit 1; }
echo "== what the agent saw (model tiny_resnet)"
summary() {
  awk -v want="$1" -v predicted="$work/predicted.csv" '
    /^jouleflow_inference_runs_total\{/ { runs += $NF }
    /^jouleflow_inference_duration_seconds_sum\{/ { dur += $NF }
    /^jouleflow_inference_energy_joules_total\{/ { ej += $NF; match($0, /source="[^"]*"/); src = substr($0, RSTART + 8, RLENGTH - 9) }
    /^jouleflow_layer_duration_seconds_total\{/ {
      match($0, /layer="[^"]*"/); l = substr($0, RSTART + 7, RLENGTH - 8)
      match($0, /layer_type="[^"]*"/); ty[l] = substr($0, RSTART + 12, RLENGTH - 13)
      t[l] += $NF
    }
    /^jouleflow_layer_energy_joules_total\{/ { match($0, /layer="[^"]*"/); e[substr($0, RSTART + 7, RLENGTH - 8)] += $NF; etotal += $NF }
    /^jouleflow_layer_samples_total\{/ { match($0, /layer="[^"]*"/); s[substr($0, RSTART + 7, RLENGTH - 8)] = $NF }
    END {
      while ((getline line < predicted) > 0) {
        split(line, f, ","); if (f[1] != "name") p[f[1]] = f[4] * 1000
      }
      if (want == "head") {
        printf "inferences: %d, mean latency %.2f ms, energy %.3f mJ per inference (source: %s%s)\n", runs, runs ? dur / runs * 1000 : 0, runs ? ej / runs * 1000 : 0, src, src == "estimate" ? ", an estimate, not a measurement" : ""
        exit
      }
      for (l in t) printf "%-26s %-14s %12.3f %12.3f %7.1f%% %14s\n", l, ty[l], s[l] ? t[l] / s[l] * 1000 : 0, s[l] ? e[l] / s[l] * 1000 : 0, etotal ? 100 * e[l] / etotal : 0, (l in p) ? sprintf("%.3f", p[l]) : "-"
    }'
}
echo "$metrics" | summary head
printf '%-26s %-14s %12s %12s %8s %14s\n' layer type ms/inference mJ/inference energy "predicted mJ"
echo "$metrics" | summary rows | sort -k5 -rn
echo "(_unattributed: time and energy no layer's ops cover: gaps, executor and JNI work;"
echo " predicted: the bundled model set, trained on layers measured alone, each paying TensorFlow's"
echo " fixed per-run cost - see README, 'The bundled model set')"
echo "metrics: http://127.0.0.1:${metrics_port}/metrics   service: http://127.0.0.1:${port}/predict"
if [ "$keep" = 1 ]; then
  echo "service left running (pid ${pid}); stop it with: kill ${pid}"
  trap - EXIT
fi
