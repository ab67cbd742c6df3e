#!/usr/bin/env bash
# Checks VSTP as a library people depend on (issue 17 item 6), from the artifacts `mvn install` put in ~/.m2:
#   1. vstp-bom has the parent's version and lists every library module;
#   2. each library module has its sources and javadoc jars (built with -Prelease);
#   3. an application that imports the BOM and names vstp-services alone (tools/library-consumer) compiles, runs a
#      verified put/get over TLS, and pulls in neither the command line nor its libraries; it is a named module,
#      compiled and run on the module path, so a library's module-info.java that misses an export, a requires or a
#      `uses` fails here (the tests run on the class path: docs/decisions/013-module-boundaries.md);
#   4. a source that imports a package the libraries do not export fails to compile on the module path;
#   5. prints each artifact's size and the application's whole runtime class path (docs/guide/depending.md).
# VSTP_LOCAL_REPO: the local repository the libraries were installed into (default Maven's, as ./test-all uses).
set -euo pipefail
cd "$(dirname "$0")/.."
local_repo="${VSTP_LOCAL_REPO:-${HOME}/.m2/repository}"

libraries=(vstp-core vstp-transport vstp-security vstp-crypto vstp-services)
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
bom_version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' vstp-bom/pom.xml | head -1)
[ "$version" = "$bom_version" ] || { echo "vstp-bom is $bom_version, the parent $version" >&2; exit 1; }
for m in "${libraries[@]}"; do
  grep -q "<artifactId>$m</artifactId>" vstp-bom/pom.xml || { echo "vstp-bom does not list $m" >&2; exit 1; }
  [ "$(grep -A1 "<artifactId>$m</artifactId>" vstp-bom/pom.xml | sed -n 's|.*<version>\(.*\)</version>|\1|p')" = "$version" ] \
    || { echo "vstp-bom lists $m at another version than $version" >&2; exit 1; }
done
echo "vstp-bom $version lists ${libraries[*]}"

repo="$local_repo/io/vstp"
printf '%-16s %10s %10s %10s\n' artifact jar sources javadoc
for m in "${libraries[@]}"; do
  d="$repo/$m/$version"
  for kind in "" -sources -javadoc; do
    [ -f "$d/$m-$version$kind.jar" ] || { echo "missing $m-$version$kind.jar (mvn install -Prelease)" >&2; exit 1; }
  done
  printf '%-16s %10s %10s %10s\n' "$m" "$(stat -c %s "$d/$m-$version.jar")" \
    "$(stat -c %s "$d/$m-$version-sources.jar")" "$(stat -c %s "$d/$m-$version-javadoc.jar")"
done

consumer=tools/library-consumer
build_log=$(mvn -B -ntp -f "$consumer/pom.xml" -Dmaven.repo.local="$local_repo" -Dvstp.version="$version" \
    package dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt 2>&1) \
  || { echo "$build_log" >&2; echo "the consumer does not build" >&2; exit 1; }
# An installed POM that Maven cannot read (a version its parent no longer defines) silently loses its dependencies.
if grep -q "is invalid, transitive dependencies" <<< "$build_log"; then
  grep "is invalid" <<< "$build_log" >&2
  exit 1
fi
cp=$(cat "$consumer/target/classpath.txt")
forbidden=$(tr ':' '\n' <<< "$cp" | grep -E '/(vstp-cli|vstp-fips|vstp-examples|vstp-bench|picocli|HdrHistogram|jackson-[a-z]+)/' || true)
[ -z "$forbidden" ] || { echo "a vstp-services user pulls in:" >&2; echo "$forbidden" >&2; exit 1; }
out=$(java --module-path "$consumer/target/classes:$cp" -m example.consumer/example.Consumer 2>&1) \
  || { echo "the consumer program failed on the module path: $out" >&2; exit 1; }
out=$(grep '^ok ' <<< "$out") || { echo "the consumer program printed no result" >&2; exit 1; }
grep -q '^ok 3145728 bytes' <<< "$out" || { echo "the consumer program moved the wrong bytes: $out" >&2; exit 1; }
# The encapsulation itself: a package exported to io.vstp.services only must stay out of an application's reach.
negative="$consumer/target/not-exported"
rm -rf "$negative"
if javac_out=$(javac -d "$negative" --module-path "$cp" "$consumer/src/main/java/module-info.java" \
    "$consumer/src/not-exported/example/UsesInternals.java" 2>&1); then
  echo "io.vstp.transport.session is within an application's reach on the module path" >&2; exit 1
fi
grep -q "package io.vstp.transport.session is declared in module io.vstp.transport, which does not export it" \
    <<< "$javac_out" || { echo "javac refused UsesInternals.java for another reason: $javac_out" >&2; exit 1; }
echo "on the module path: the consumer runs; a non-exported package (io.vstp.transport.session) does not compile"
total=0
count=0
for jar in $(tr ':' ' ' <<< "$cp"); do
  total=$((total + $(stat -c %s "$jar")))
  count=$((count + 1))
done
echo "an application on vstp-services: $count jars, $((total / 1024)) KiB on its runtime class path; put/get over TLS: $out"
