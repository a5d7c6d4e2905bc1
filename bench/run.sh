#!/usr/bin/env bash
# End-to-end lookup benchmark against a real ISC dhcpd:  bash bench/run.sh [program options]
#
# 1. Builds bench/Omapi.Bench (Release) in the normal namespace: restore needs the network.
# 2. Runs it inside a private, rootless network namespace (unshare -rn) with lo up and PSOMAPI_NETNS=1; the program
#    refuses to run anywhere else. It creates its own veth there (198.18.0.1/15), starts dhcpd with 10,000 seeded
#    leases and a random key, measures, prints markdown tables, and stops dhcpd by pid. The namespace is also a
#    private PID namespace where the kernel allows it, so nothing started inside can outlive the run.
# 3. Exits with the program's exit code (0: every lookup returned the address asked, dhcpd still alive).
#
# Program options (passed through): --leases N (10000) --passes N (2) --warmup N (1000) --workers N[,N] (64,8)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in dotnet unshare ip; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/run.sh: $tool not found" >&2; exit 1; }
done
if [ ! -x /usr/sbin/dhcpd ]; then
    echo "bench/run.sh: /usr/sbin/dhcpd not found (apt-get install isc-dhcp-server)" >&2
    exit 1
fi

echo "bench/run.sh: dotnet build bench/Omapi.Bench -c Release"
dotnet build bench/Omapi.Bench/Omapi.Bench.csproj -c Release -nologo -v quiet

# A private TMPDIR: the program's temp directory (dhcpd.conf with this run's random key) goes there, and it is removed
# here even if the run is killed before the program cleans up.
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
TMPDIR="$run_tmp" DOTNET_CLI_TELEMETRY_OPTOUT=1 "${ns[@]}" bash -c "$inner" bench "$@" || rc=$?
exit "$rc"
