#!/usr/bin/env bash
# The main job of a new user: build, start the example inference service with the jouleflow agent,
# predict its per-layer energy from the architecture, drive load, and show what the agent observed
# per layer next to the prediction, and the /metrics URL.
# Usage: scripts/demo.sh [--seconds N] [--port PORT] [--metrics-port PORT] [--work-dir DIR] [--keep]
#   --seconds N          length of the load phase (default 30)
#   --port PORT          the example service's port (default $DEMO_PORT, else 8080)
#   --metrics-port PORT  the agent's /metrics port (default $METRICS_PORT, else 9464)
#   --work-dir DIR       model, service logs and sample store (default target/demo)
#   --keep               leave the service running afterwards (it prints how to stop it)
# It builds (mvn -B -DskipTests package), then runs the launcher's demo verb:
#   java -jar launcher/target/jouleflow.jar demo [options]   (--help there lists every option)
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
done
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "demo: '$tool' is not installed" >&2; exit 1; }
done

# The build's output goes to a log, shown only when the build fails: stdout keeps the results.
mkdir -p target
log=target/demo-build.log
echo "== building (mvn -B -DskipTests package; log in $log; the first build downloads TensorFlow)" >&2
if ! mvn -B -DskipTests package >"$log" 2>&1; then
  grep -E '^\[(ERROR|WARNING)\]' "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
  echo "demo: the build failed; the whole log is in $log" >&2
  exit 1
fi
exec java -jar launcher/target/jouleflow.jar demo "$@"
