#!/usr/bin/env bash
# Runs every test class in tests/ on its own (one `dotnet test --filter` per class), to prove that no class
# depends on another having run first (shared seeds, a warmed cluster, a fixture someone else created).
#
#   tests/run-each-class.sh                 build, then run every class of both test projects
#   NO_BUILD=1 tests/run-each-class.sh      use the current build
#   tests/run-each-class.sh ApiHost.Tests   only that project (any of Grains.Tests, ApiHost.Tests)
#
# Environment passes through (e.g. OL_TEST_TODAY=2032-01-01). Logs go to $OUT (default a fresh temporary
# folder): one <class>.log per class and summary.txt with one "PASS|FAIL <project> <class> <seconds>s" line each.
# Exits non-zero if any class failed.
set -uo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-$(mktemp -d -t run-each-class.XXXXXX)}
mkdir -p "$out"
projects=("$@")
[ ${#projects[@]} -eq 0 ] && projects=(Grains.Tests ApiHost.Tests)

if [ "${NO_BUILD:-0}" != 1 ]; then
  dotnet build >"$out/build.log" 2>&1 || { echo "build failed, see $out/build.log"; exit 1; }
fi

: >"$out/summary.txt"
failed=0
for project in "${projects[@]}"; do
  # xunit lists tests by fully qualified method name; theories carry their arguments in parentheses.
  classes=$(dotnet test "tests/$project" --no-build --list-tests 2>/dev/null \
    | sed -n '/The following Tests are available:/,$p' | tail -n +2 \
    | sed -E 's/^[[:space:]]+//; s/\(.*$//; s/\.[^.]+$//' | grep -E '^[A-Za-z_]' | sort -u)
  if [ -z "$classes" ]; then
    echo "FAIL $project (no tests listed)" | tee -a "$out/summary.txt"
    failed=1
    continue
  fi

  for class in $classes; do
    log="$out/$class.log"
    start=$(date +%s)
    # The trailing dot keeps FooTests from also selecting FooTestsSlow.
    if dotnet test "tests/$project" --no-build --filter "FullyQualifiedName~$class." >"$log" 2>&1; then
      result=PASS
    else
      result=FAIL
      failed=1
    fi
    echo "$result $project $class $(($(date +%s) - start))s" | tee -a "$out/summary.txt"
  done
done

echo "logs: $out"
exit $failed
