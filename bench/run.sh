#!/usr/bin/env bash
# The performance benchmarks, one command:  bash bench/run.sh [--no-codec] [end-to-end program options]
#
# 1. Builds bench/Omapi.Bench (Release; it also builds src/PSOmapi, which assembles output/PSOmapi/<version>/) and
#    bench/Omapi.Core.Benchmarks (Release) in the normal namespace: restore needs the network.
# 2. Runs Omapi.Bench inside a private, rootless network namespace (unshare -rn) with lo up and PSOMAPI_NETNS=1; the
#    program refuses to run anywhere else. It creates its own veth there (198.18.0.1/15), starts dhcpd with 10,000
#    seeded active leases plus a free /16 and a random key, runs the core modes and the PowerShell-engine modes (the
#    imported module), prints markdown tables, and stops dhcpd by pid. The namespace is also a private PID namespace
#    where the kernel allows it, so nothing started inside can outlive the run.
# 3. Runs the BenchmarkDotNet codec suite (no dhcpd, no network; short in-process job, about 1.5 minutes).
# 4. Prints the tables of both again as one summary.
# Exit code: 0 when every lookup returned what was asked, dhcpd survived, and the codec suite ran.
#
# End-to-end options (passed through): --leases N (10000) --passes N (5) --warmup N (1000) --workers N[,N] (64,8)
#   --bulk N[,N] (1,4,8) --single N (5000) --latency N (500) --latency-rounds N (10) --repeat N (5) --stress-passes N (5) --no-ps --seed N
#   --exec CMD (measure nothing: run bash -c CMD against the seeded dhcpd, for profiling; bench/README.md)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

codec=1
args=()
for a in "$@"; do
    if [ "$a" = "--no-codec" ]; then codec=0; else args+=("$a"); fi
done

for tool in dotnet unshare ip; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/run.sh: $tool not found" >&2; exit 1; }
done
if [ ! -x /usr/sbin/dhcpd ]; then
    echo "bench/run.sh: /usr/sbin/dhcpd not found (apt-get install isc-dhcp-server)" >&2
    exit 1
fi

echo "bench/run.sh: dotnet tool restore (pwsh 7.6.10, for the real-pwsh rows)"
dotnet tool restore >/dev/null
echo "bench/run.sh: dotnet build bench/Omapi.Bench and bench/Omapi.Core.Benchmarks -c Release"
dotnet build bench/Omapi.Bench/Omapi.Bench.csproj -c Release -nologo -v quiet
if [ "$codec" = 1 ]; then
    dotnet build bench/Omapi.Core.Benchmarks/Omapi.Core.Benchmarks.csproj -c Release -nologo -v quiet
fi

# A private TMPDIR: the program's temp directory (dhcpd.conf with this run's random key) goes there, and it is removed
# here even if the run is killed before the program cleans up. The outputs for the summary are kept there too.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/psomapi-bench.XXXXXX")
trap 'rm -rf "$run_tmp"' EXIT

ns=(unshare -rn --pid --fork --kill-child --mount-proc)
if ! "${ns[@]}" true >/dev/null 2>&1; then
    echo "bench/run.sh: PID namespaces unavailable here; using a network namespace only"
    ns=(unshare -rn)
fi

# bash (not exec'd dotnet) stays PID 1 in the namespace and reaps orphans.
inner='
set -eu
ip link set lo up
export PSOMAPI_NETNS=1
rc=0
dotnet bench/Omapi.Bench/bin/Release/net10.0/Omapi.Bench.dll "$@" || rc=$?
exit "$rc"
'
rc=0
set -o pipefail
TMPDIR="$run_tmp" DOTNET_CLI_TELEMETRY_OPTOUT=1 "${ns[@]}" bash -c "$inner" bench ${args[@]+"${args[@]}"} | tee "$run_tmp/e2e.txt" || rc=$?

codec_rc=0
if [ "$codec" = 1 ]; then
    echo
    echo "bench/run.sh: BenchmarkDotNet codec suite (Omapi.Core.Benchmarks, short in-process job)"
    DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet bench/Omapi.Core.Benchmarks/bin/Release/net10.0/Omapi.Core.Benchmarks.dll \
        --artifacts "$run_tmp/bdn" | tee "$run_tmp/codec.txt" || codec_rc=$?
fi

echo
echo "=================================== bench/run.sh: summary ==================================="
# The end-to-end report: from its first table heading to the end (without the cleanup line).
sed -n '/^### /,$p' "$run_tmp/e2e.txt" | grep -v '^bench: dhcpd stopped' || true
if [ "$codec" = 1 ]; then
    echo
    echo "### Core codec (BenchmarkDotNet, [MemoryDiagnoser], public API of Omapi.Core)"
    echo
    grep '^codec benchmarks:' "$run_tmp/codec.txt" || true
    report=$(ls "$run_tmp"/bdn/results/*-report-github.md 2>/dev/null | head -1 || true)
    if [ -n "$report" ]; then
        sed -n '/^```/,/^```/p' "$report"
        echo
        sed -n '/^| /,$p' "$report" | sed "s/&#39;//g"
    else
        echo "(no BenchmarkDotNet report: the suite failed, exit code $codec_rc)"
    fi
fi

if [ "$rc" = 0 ] && [ "$codec_rc" != 0 ]; then rc=$codec_rc; fi
exit "$rc"
