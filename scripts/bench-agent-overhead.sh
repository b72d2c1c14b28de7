#!/usr/bin/env bash
# Latency overhead of the agent on the example model: the same application in child JVMs without
# the agent, with it at its default sampling (trace.every=auto) and with every run traced, in alternating rounds; prints
# median/p90/p99 per JVM, the ratios, the cost of a traced run, the verdict (median ratio <= 1.01)
# and B's trace rate.
#
# Usage (from anywhere): scripts/bench-agent-overhead.sh [--rounds 50] [--runs-per-round 500]
#   [--warmup 1000] [--batch 8] [--input-size 64] [--agent-jar PATH] [--model-dir DIR]
# Builds the agent, the examples and the agent's test classes when they are missing; after changing
# code, rebuild with: mvn -pl agent -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "bench-agent-overhead: $*" >&2; exit 1; }

command -v java >/dev/null 2>&1 || fail "java not found on PATH (Java 17 or later is needed)"

examples_jar() { ls examples/target/jouleflow-examples-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -n 1 || true; }

if ! ls agent/target/jouleflow-agent.jar examples/target/classpath.txt \
      agent/target/test-classes/io/jouleflow/agent/bench/AgentOverheadBenchmark.class >/dev/null 2>&1 \
    || [[ -z "$(examples_jar)" ]]; then
  command -v mvn >/dev/null 2>&1 || fail "mvn not found on PATH, and the agent or the benchmark is not built"
  echo "bench-agent-overhead: building (mvn -B -q -pl agent -am package -DskipTests)" >&2
  mvn -B -q -Dstyle.color=never -pl agent -am package -DskipTests || fail "the build failed"
fi
jar=$(examples_jar)
[[ -n "$jar" ]] || fail "no examples/target/jouleflow-examples-*.jar after the build"

exec java -cp "agent/target/test-classes:$jar:$(cat examples/target/classpath.txt)" \
  io.jouleflow.agent.bench.AgentOverheadBenchmark "$@"
