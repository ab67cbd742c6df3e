#!/usr/bin/env bash
# Runs the Maven test suite again and again to find tests that fail only sometimes (issue 27). Not part of CI:
# one run takes about 9 minutes here, and the point is many of them, on a machine that is also doing other work.
#   tools/repeat-tests.sh RUNS [MAX_MINUTES]
# Alternates the default JDK and the second one (VSTP_SECOND_JDK, default the Temurin 25 JDK when installed), so
# stopping early still covers both. Every test class runs in every run (a failure never skips a module), and the
# failed tests of each run are listed in target/repeat/summary.txt; each run's whole log is target/repeat/run-N.log.
# Stops by itself after RUNS runs or MAX_MINUTES (default 600), whichever comes first.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:?how many runs, e.g. 20}
max_minutes=${2:-600}
second_jdk="${VSTP_SECOND_JDK:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -1 || true)}"
out=target/repeat
mkdir -p "$out"
summary="$out/summary.txt"
deadline=$(( $(date +%s) + max_minutes * 60 ))
for ((i = 1; i <= runs; i++)); do
  if (( $(date +%s) >= deadline )); then
    echo "stopped at the time limit ($max_minutes min) before run $i" | tee -a "$summary"
    break
  fi
  jdk_home=${JAVA_HOME:-}
  if (( i % 2 == 0 )) && [ -n "$second_jdk" ] && [ -x "$second_jdk/bin/java" ]; then
    jdk_home=$second_jdk
  fi
  jdk_name=$( ( [ -n "$jdk_home" ] && "$jdk_home/bin/java" -version || java -version ) 2>&1 | head -1)
  log="$out/run-$i.log"
  started=$(date +%s)
  # Reports of the previous run must not be counted again.
  find . -path '*/target/surefire-reports' -o -path '*/target/failsafe-reports' | xargs rm -rf
  ( if [ -n "$jdk_home" ]; then export JAVA_HOME="$jdk_home" PATH="$jdk_home/bin:$PATH"; fi
    mvn -B -ntp verify -DskipFuzz=true -Djacoco.skip=true -Dspotless.check.skip=true -Dcheckstyle.skip=true \
        -Dmaven.test.failure.ignore=true ) > "$log" 2>&1
  status=$?
  # No reports at all (a compile error) must not leave grep reading standard input.
  failed=$(find . -path '*/target/*-reports/TEST-*.xml' -print0 | xargs -0 -r grep -l -E '<(failure|error)[ >]' \
      | xargs -r grep -h -B1 -E '<(failure|error)[ >]' | grep -o 'testcase name="[^"]*" classname="[^"]*"' \
      | sed -E 's/testcase name="([^"]*)" classname="([^"]*)"/\2#\1/' | sort -u | tr '\n' ' ')
  echo "run $i, $jdk_name, $(( ($(date +%s) - started) / 60 )) min, maven exit $status, failed: ${failed:-none}" \
      | tee -a "$summary"
done
