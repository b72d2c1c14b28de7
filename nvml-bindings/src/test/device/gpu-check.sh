#!/usr/bin/env bash
# Compares jouleflow's NVML energy readings with pynvml and nvidia-smi on a real GPU.
#
# Runs on the GPU host, as root, from the repository root, after build-bundle.sh made the bundle
# (a jlink runtime, the JNA jar and the nvml-bindings jar; the host needs no Java):
#     bash .device/nvml-check/gpu-check.sh
# Results go to $OUT (else /tmp/nvml-check): probe.txt, ours.csv, smi-power.csv, result.txt and
# result.json. Exit codes: 0 PASS, 1 FAIL, 2 could not run. The whole check stays under 90 s.
# Extra arguments go to nvml_check.py (e.g. --fake-library PATH --window 3 for a rehearsal).
set -uo pipefail

bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-/tmp/nvml-check}
mkdir -p "$out"

# Copies may lose the executable bits.
chmod u+x "$bundle"/jre/bin/* "$bundle"/jre/lib/jspawnhelper 2>/dev/null || true

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null; then
  echo "ERROR: could not run the check: no $python on this host" | tee "$out/result.txt"
  exit 2
fi
nvidia-smi --query-gpu=name,uuid,driver_version,power.draw,power.limit --format=csv > "$out/nvidia-smi.txt" 2>&1 || true

timeout --kill-after=3 85 "$python" "$bundle/nvml_check.py" --bundle "$bundle" --out "$out" "$@"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "FAIL: the check ran past 85 s" | tee -a "$out/result.txt"
  exit 1
fi
exit "$status"
