#!/usr/bin/env bash
# Fuzzes one Jazzer target for a long time, then keeps what it learnt: the inputs that reached new coverage are
# merged (libFuzzer -merge=1) into the target's regression inputs under src/test/resources, which every build replays.
#
#   tools/fuzz-long.sh MODULE FUZZ_TEST_CLASS METHOD [DURATION]
#   tools/fuzz-long.sh vstp-core io.vstp.core.codec.v2.V2FrameReaderFuzzTest readFrames 60m
#
# Run it in a clean checkout or worktree of its own (it builds MODULE's target/). The fuzzer's working corpus stays
# in MODULE/target/fuzz/.cifuzz-corpus; the summary line goes to stdout, the whole log to target/fuzz-long.log.
# The build's own fuzzing (./test-all) runs each target for its fixed execution count (@FuzzTest maxExecutions)
# with a fixed seed; this is the long run of issue 16, with a seed of its own unless FUZZ_SEED says one.
set -euo pipefail
cd "$(dirname "$0")/.."

module=${1:?module, e.g. vstp-core}
class=${2:?fuzz test class, e.g. io.vstp.core.codec.v2.V2FrameReaderFuzzTest}
method=${3:?fuzz test method, e.g. readFrames}
duration=${4:-60m}
simple=${class##*.}
package_dir=$(dirname "${class//.//}")
inputs="$module/src/test/resources/$package_dir/${simple}Inputs/$method"
corpus="$module/target/fuzz/.cifuzz-corpus/$class/$method"
log="$module/target/fuzz-long.log"

mkdir -p "$module/target" "$inputs"
before=$(find "$inputs" -type f | wc -l)
echo "fuzzing $class#$method for $duration (log: $log)"
mvn -B -ntp -o -pl "$module" verify -DskipTests=false -Dtest="$simple" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfuzz.maxDuration="$duration" -Dfuzz.seed="${FUZZ_SEED:-$RANDOM$RANDOM}" \
    -Dfuzz.argLine=-Djazzer.max_executions=0 \
    -Djacoco.skip=true -Denforcer.skip=true > "$log" 2>&1 || {
  echo "the fuzzing run failed (a finding is a failure): see $log" >&2
  grep -E "== Java Exception|Crash|crash-" "$log" | head -20 >&2 || true
  exit 1
}
stats=$(grep -E '^#[0-9]+' "$log" | tail -1)

# Merge with libFuzzer itself, through Jazzer's standalone driver on the same test classes.
cp_file="$module/target/fuzz-classpath.txt"
mvn -B -ntp -o -q -pl "$module" dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$cp_file" > /dev/null
instrument='io.vstp.**'
[ "$module" = vstp-core ] && instrument='io.vstp.**:io.netty.handler.codec.http2.**' # ':' separates globs here
java -Dio.netty.leakDetection.level=paranoid \
    -cp "$(cat "$cp_file"):$module/target/classes:$module/target/test-classes" \
    com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
    --instrumentation_includes="$instrument" -merge=1 "$inputs" "$corpus" >> "$log" 2>&1
after=$(find "$inputs" -type f | wc -l)
echo "done: $stats"
echo "regression inputs in $inputs: $before -> $after (working corpus: $(find "$corpus" -type f | wc -l) files)"
