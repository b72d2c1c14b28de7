#!/usr/bin/env bash
# Builds .device/nvml-check/: everything gpu-check.sh needs on a GPU host without Java or a
# package registry (JNA needs java.logging besides the modules the check uses). Runs here
# (x86-64 Linux, JDK 17 with jlink, Maven, gcc), from anywhere:
#     bash nvml-bindings/src/test/device/build-bundle.sh
# Then it rehearses the check against the fake libnvidia-ml, so only the real GPU is left unknown.
# SKIP_TESTS=1 skips the module's tests; SKIP_REHEARSAL=1 skips the rehearsal.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
java_home=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
bundle=$root/.device/nvml-check
module=$root/nvml-bindings

maven_flags=(-B -q)
[ "${SKIP_TESTS:-0}" = 1 ] && maven_flags+=(-DskipTests)
# package also builds the fake library (tests' resources) that the rehearsal uses.
mvn "${maven_flags[@]}" -f "$module/pom.xml" package
mvn -B -q -f "$module/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$module/target/bundle-deps"

rm -rf "$bundle"
mkdir -p "$bundle/lib"
"$java_home/bin/jlink" \
  --add-modules java.base,java.logging,java.management,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$bundle/jre"
cp "$module"/target/jouleflow-nvml-bindings-*.jar "$bundle/lib/jouleflow-nvml-bindings.jar"
cp "$module"/target/bundle-deps/jna-*.jar "$bundle/lib/jna.jar"
cp "$here/gpu-check.sh" "$here/nvml_check.py" "$bundle/"
chmod +x "$bundle/gpu-check.sh"

echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1))"

if [ "${SKIP_REHEARSAL:-0}" != 1 ]; then
  fake=$module/target/native/libnvidia-ml.so.1
  echo "== rehearsal: NvmlProbe from the bundle's runtime against the fake library"
  "$bundle/jre/bin/java" -Djouleflow.nvml.library="$fake" \
    -cp "$bundle/lib/jouleflow-nvml-bindings.jar:$bundle/lib/jna.jar" io.jouleflow.nvml.NvmlProbe
  echo "== rehearsal: gpu-check.sh against the fake library (no load, short window)"
  OUT=$(mktemp -d) bash "$bundle/gpu-check.sh" --fake-library "$fake" --window 3 --warmup 1
fi
