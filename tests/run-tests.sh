#!/usr/bin/env bash
# The project's test command: bash tests/run-tests.sh  (from any directory)
#
# 1. Restores the pinned tools (dotnet tool restore: pwsh 7.6.10; Pester 5.7.1 comes with the NuGet restore) and runs
#    build.ps1 -Task Build, Docs, Package with that pwsh, in the normal namespace (restore needs the network): the
#    solution is built, the help checked against docs/help, and output/packages/PSOmapi.<version>.nupkg written.
# 2. Runs every xunit project (tests/*/*.Tests.csproj) with `dotnet test --no-build`, each inside its own private,
#    rootless network namespace (unshare -rn) with lo up and PSOMAPI_NETNS=1, so the dhcpd fixture may create its
#    veth and start real dhcpd processes there. The namespace is also a private PID namespace: when a run ends or is
#    aborted, the kernel kills everything started in it, so no dhcpd can be left behind.
# 3. Runs build.ps1 -Task Pester in a namespace of its own: the Pester suite (tests/Pester) against the package,
#    installed with Install-PSResource into a temporary module path, and real dhcpd. In that namespace's private
#    mount table only, /etc/hosts and /etc/dhcp are replaced by files of this run, so the documentation's examples
#    (dhcp1.example.net, /etc/dhcp/omapi.key) run as written against the lab.
# 4. Reads the TRX and NUnit XML results, lists the failed tests with the start of their messages
#    (tests/Show-TestFailures.ps1), and prints, as the last line, "N passed, N failed, N skipped" (totals over xunit
#    and Pester).
# 5. Exits non-zero if a test failed, a run failed or left no results, no test ran at all, or (when CI=true) any test
#    was skipped. CI=true also sets PSOMAPI_REQUIRE_DHCPD=1, so dhcpd tests fail rather than skip when dhcpd cannot
#    run.
#
# Environment: PSOMAPI_TEST_RESULTS  where TRX/XML files go, emptied first (default: a new
#                                    <repo>/TestResults/run-tests.XXXXXX per run; TestResults/ is gitignored)
#              PSOMAPI_TEST_FILTER   optional `dotnet test --filter` expression (xunit only)
#              PSOMAPI_TEST_ONLY     xunit or pester: run only that layer
#              PSOMAPI_TEST_HANG_TIMEOUT  how long one test may run before it counts as hung (default 10m; dotnet's
#                                    --blame-hang-timeout syntax). A hung test is killed with a mini dump of the test
#                                    host, its managed stacks are printed (dotnet-dump, installed into the results
#                                    directory if missing), and the run fails: never a CI run that just times out.
#              PSOMAPI_TEST_RUN_TIMEOUT   the limit for one project's whole run (default 15m), in case a hang is not in
#                                    a test (fixture setup or teardown): the namespace is killed and the run fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
configuration=Release
# Plain text from pwsh in logs (no ANSI colour codes).
export NO_COLOR=1

run_tmp=
trap 'if [ -n "$run_tmp" ]; then rm -rf "$run_tmp"; fi' EXIT

passed=0
failed=0
skipped=0
problems=()

summary() {
    echo
    if [ ${#problems[@]} -gt 0 ]; then
        printf 'run-tests: %s\n' "${problems[@]}"
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
}

if [ "${CI:-}" = "true" ]; then
    export PSOMAPI_REQUIRE_DHCPD=1
fi

for tool in dotnet unshare ip; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        problems+=("$tool not found")
    fi
done
if [ ${#problems[@]} -gt 0 ]; then
    summary
    exit 1
fi

echo "run-tests: dotnet tool restore (pwsh $(grep -o '"version": *"[^"]*"' .config/dotnet-tools.json | head -1 | grep -o '[0-9][0-9.]*'))"
if ! dotnet tool restore; then
    problems+=("dotnet tool restore failed; no test ran")
    summary
    exit 1
fi

echo "run-tests: dotnet pwsh ./build.ps1 -Task Build, Docs, Package"
if ! dotnet pwsh -NoProfile -NonInteractive -Command "& ./build.ps1 -Task Build, Docs, Package -Configuration $configuration"; then
    problems+=("build.ps1 -Task Build, Docs, Package failed; no test ran")
    summary
    exit 1
fi

mapfile -t projects < <(find tests -mindepth 2 -maxdepth 2 -name '*.Tests.csproj' | LC_ALL=C sort)
if [ ${#projects[@]} -eq 0 ]; then
    problems+=("no tests/*/*.Tests.csproj found")
    summary
    exit 1
fi

# A fresh results directory per run, so runs started at the same time in one tree do not mix their TRX files.
if [ -n "${PSOMAPI_TEST_RESULTS:-}" ]; then
    results=$PSOMAPI_TEST_RESULTS
    rm -rf "$results"
    mkdir -p "$results"
else
    mkdir -p "$root/TestResults"
    results=$(mktemp -d "$root/TestResults/run-tests.XXXXXX")
fi

# A PID namespace (with its own /proc, so .NET's process APIs see the right pids) makes cleanup certain; fall back to
# a network namespace alone where PID namespaces are not allowed.
ns=(unshare -rn --pid --fork --kill-child --mount-proc)
if ! "${ns[@]}" true >/dev/null 2>&1; then
    echo "run-tests: PID namespaces unavailable here; using a network namespace only"
    ns=(unshare -rn --mount)
    if ! "${ns[@]}" true; then
        problems+=("cannot create a private network namespace (unshare -rn)")
        summary
        exit 1
    fi
fi

# Runs inside the namespace (bash, not exec'd dotnet, stays PID 1 there and reaps orphans).
# $1 project, $2 results dir, $3 TRX file name, $4 configuration, $5 hang timeout, $6 filter (may be empty).
inner='
set -eu
ip link set lo up
export PSOMAPI_NETNS=1
set -- "$1" --no-build -c "$4" --results-directory "$2" --logger "trx;LogFileName=$3" \
    --blame-hang-timeout "$5" --blame-hang-dump-type mini ${6:+--filter "$6"}
rc=0
dotnet test "$@" || rc=$?
exit "$rc"
'

# Prints the managed stacks of every thread of a hung test host that is in the project's code (or all threads, if none
# is), from its mini dump. dotnet-dump is used from PATH or ~/.dotnet/tools, or installed next to the dump.
print_hang_stacks() {
    local dump=$1 tool= tools
    tools="$(dirname "$dump")/tools"
    for candidate in dotnet-dump "$HOME/.dotnet/tools/dotnet-dump"; do
        if command -v "$candidate" >/dev/null 2>&1; then
            tool=$candidate
            break
        fi
    done
    if [ -z "$tool" ] && dotnet tool install --tool-path "$tools" dotnet-dump --version 10.0.750501 >/dev/null 2>&1; then
        tool="$tools/dotnet-dump"
    fi
    if [ -z "$tool" ]; then
        echo "run-tests: hang dump at $dump (dotnet-dump not available to print its stacks)"
        return
    fi
    echo "run-tests: managed stacks of the hung test host ($dump):"
    "$tool" analyze "$dump" -c "clrstack -all" -c exit 2>&1 | awk '
        function flush() { if (block != "") { n++; blocks[n] = block; mine[n] = own } }
        /^OS Thread Id/ { flush(); block = ""; own = 0 }
        { block = block $0 "\n"; if ($0 ~ /(Omapi|PSOmapi)[.]/ && $0 !~ /XunitAutoGeneratedEntryPoint/) { own = 1; any = 1 } }
        END { flush(); for (i = 1; i <= n; i++) if (mine[i] || !any) printf "%s", blocks[i] }' | head -400
}

# Counts the test results of a TRX file whose outcome is one of the given ones. (The <Counters> element is not
# usable: VSTest counts xunit's skipped tests there as neither executed nor notExecuted.)
count_outcomes() {
    local trx=$1 pattern
    shift
    pattern=$(IFS='|'; echo "$*")
    { grep -o '<UnitTestResult [^>]*' "$trx" || true; } | { grep -cE " outcome=\"($pattern)\"" || true; }
}

if [ "${PSOMAPI_TEST_ONLY:-}" = pester ]; then
    projects=()
fi
for project in "${projects[@]}"; do
    name=$(basename "$project" .csproj)
    trx="$name.trx"
    echo
    echo "run-tests: dotnet test $project (private network namespace)"
    rc=0
    # A private TMPDIR per run: the dhcpd fixture's configs (with this run's random keys) go there, and it is
    # removed here even when the run was aborted before the fixture could clean up.
    run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/psomapi-tests.XXXXXX")
    TMPDIR="$run_tmp" timeout --kill-after=30s "${PSOMAPI_TEST_RUN_TIMEOUT:-15m}" "${ns[@]}" bash -c "$inner" run-tests "$project" "$results" "$trx" "$configuration" \
        "${PSOMAPI_TEST_HANG_TIMEOUT:-10m}" "${PSOMAPI_TEST_FILTER:-}" || rc=$?
    rm -rf "$run_tmp"

    dump=$(find "$results" -name "$name"'_*hangdump.dmp' 2>/dev/null | head -1)
    if [ -n "$dump" ]; then
        problems+=("$name: a test hung and was killed (its name and the stacks are above)")
        print_hang_stacks "$dump"
    fi

    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("$name: the run did not end within ${PSOMAPI_TEST_RUN_TIMEOUT:-15m} and was killed")
    fi
    if [ ! -s "$results/$trx" ]; then
        problems+=("$name: no TRX results (dotnet test exit code $rc)")
        continue
    fi

    p=$(count_outcomes "$results/$trx" Passed)
    f=$(count_outcomes "$results/$trx" Failed Error Timeout Aborted)
    s=$(count_outcomes "$results/$trx" NotExecuted Inconclusive NotRunnable)
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    echo "run-tests: $name: $p passed, $f failed, $s skipped (exit code $rc, $results/$trx)"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        problems+=("$name: dotnet test exited with $rc")
    fi
done

# The Pester suite: build.ps1 -Task Pester inside a namespace of its own (bash stays PID 1 there and reaps orphans).
# $1 results dir, $2 this run's private files (hosts, etc-dhcp), $3 configuration, $4 the ip binary.
inner_pester='
set -eu
"$4" link set lo up
export PSOMAPI_NETNS=1
# Private to this mount namespace: the documentation names dhcp1.example.net and /etc/dhcp/omapi.key; the suite
# writes them (only where it finds the marker these bind mounts bring) so that the examples run as written.
mount --bind "$2/hosts" /etc/hosts
if [ -d /etc/dhcp ]; then
    mount --bind "$2/etc-dhcp" /etc/dhcp
fi
rc=0
dotnet pwsh -NoProfile -NonInteractive -Command "& ./build.ps1 -Task Pester -Configuration $3 -ResultsDirectory \"$1\"" || rc=$?
exit "$rc"
'

# Counts the test cases of a Pester NUnit XML file whose result is one of the given ones.
count_nunit() {
    local xml=$1 pattern
    shift
    pattern=$(IFS='|'; echo "$*")
    { grep -o '<test-case [^>]*' "$xml" || true; } | { grep -cE " result=\"($pattern)\"" || true; }
}

if [ "${PSOMAPI_TEST_ONLY:-}" != xunit ]; then
    echo
    echo "run-tests: Pester (build.ps1 -Task Pester, private network and mount namespace)"
    run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/psomapi-tests.XXXXXX")
    cp /etc/hosts "$run_tmp/hosts"
    printf '# psomapi-test-lab: this namespace only\n' >> "$run_tmp/hosts"
    mkdir -p "$run_tmp/etc-dhcp"
    touch "$run_tmp/etc-dhcp/.psomapi-test-lab"
    ip_bin=$(command -v ip)
    rc=0
    TMPDIR="$run_tmp" timeout --kill-after=30s "${PSOMAPI_TEST_RUN_TIMEOUT:-15m}" "${ns[@]}" bash -c "$inner_pester" run-tests "$results" "$run_tmp" "$configuration" "$ip_bin" || rc=$?
    rm -rf "$run_tmp"
    run_tmp=
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("Pester: the run did not end within ${PSOMAPI_TEST_RUN_TIMEOUT:-15m} and was killed")
    fi
    pester_files=("$results"/pester*.xml)
    if [ ! -s "${pester_files[0]}" ]; then
        problems+=("Pester: no NUnit XML results (exit code $rc)")
    else
        p=0; f=0; sk=0
        for xml in "${pester_files[@]}"; do
            p=$((p + $(count_nunit "$xml" Success)))
            f=$((f + $(count_nunit "$xml" Failure Error)))
            sk=$((sk + $(count_nunit "$xml" Ignored Inconclusive Skipped NotRunnable)))
        done
        passed=$((passed + p))
        failed=$((failed + f))
        skipped=$((skipped + sk))
        echo "run-tests: Pester: $p passed, $f failed, $sk skipped (exit code $rc, ${pester_files[*]})"
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            problems+=("Pester: build.ps1 -Task Pester exited with $rc")
        fi
    fi
fi

# The failed tests, by name and with the start of their messages, near the end of the log (a CI log may keep only its
# tail).
if [ "$failed" -gt 0 ]; then
    echo
    echo "run-tests: the failed tests:"
    dotnet pwsh -NoProfile -NonInteractive -File tests/Show-TestFailures.ps1 -ResultsDirectory "$results" ||
        echo "run-tests: could not list the failed tests; see the results in $results"
fi

status=0
if [ ${#problems[@]} -gt 0 ] || [ "$failed" -gt 0 ]; then
    status=1
fi
if [ $((passed + failed)) -eq 0 ]; then
    problems+=("no test ran")
    status=1
fi
if [ "${CI:-}" = "true" ] && [ "$skipped" -gt 0 ]; then
    problems+=("CI=true and $skipped test(s) were skipped")
    status=1
fi

summary
exit "$status"
