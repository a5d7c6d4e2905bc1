#!/usr/bin/env bash
# Try PSOmapi on a fresh Linux machine:  bash demo/run.sh
#
# 1. Checks for what it needs (dotnet, dhcpd, ip, unshare) and installs nothing: when something is missing it prints
#    the command that installs it and exits 1.
# 2. Restores the repository's pinned pwsh (dotnet tool restore: PowerShell 7.6.10, .config/dotnet-tools.json) and
#    builds the module and demo/DemoHost (Release) in the normal namespace: restore needs the network.
# 3. Runs demo/DemoHost inside a private, rootless network + PID + mount namespace
#    (unshare -rn --pid --fork --kill-child --mount-proc, as tests/run-tests.sh and bench/run.sh do). In that
#    namespace's own mount table, /etc/hosts and /etc/dhcp are files of this run, so that the README's names
#    (dhcp1.example.net, /etc/dhcp/omapi.key) lead to the demo's dhcpd. There it creates the veth v0
#    (198.51.100.1/24), generates an HMAC-SHA256 key, starts the documentation's dhcpd (tests/TestLab/DocsWorld.cs:
#    the leases, hosts, groups and classes the README's examples use, with fixed times) and its failover partner,
#    shows demo/QuickStart.ps1 as a user sees it (Connect-Omapi, Get-OmapiLease, New-OmapiHost, Remove-OmapiHost, ...)
#    through that pwsh, and stops both. Nothing runs in, or changes, the machine's own network or /etc; the namespace
#    and everything in it end with the run.
# 4. Exits 0 when every step did what it shows.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

sudo=
if [ "$(id -u)" -ne 0 ]; then
    sudo='sudo '
fi

# ip lives in /usr/sbin, which is not on an unprivileged user's PATH on Debian.
ip_bin=$(command -v ip 2>/dev/null || true)
for candidate in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
    if [ -z "$ip_bin" ] && [ -x "$candidate" ]; then
        ip_bin=$candidate
    fi
done

packages=()
[ -n "$ip_bin" ] || packages+=(iproute2)
command -v unshare >/dev/null 2>&1 || packages+=(util-linux)
{ [ -x /usr/sbin/dhcpd ] && [ -d /etc/dhcp ]; } || packages+=(isc-dhcp-server)
no_dotnet=0
command -v dotnet >/dev/null 2>&1 || no_dotnet=1

if [ ${#packages[@]} -gt 0 ] || [ $no_dotnet -eq 1 ]; then
    echo "demo/run.sh installs nothing by itself. Missing here:" >&2
    if [ ${#packages[@]} -gt 0 ]; then
        echo "  ${packages[*]}. Install with:" >&2
        echo "    ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages[*]}" >&2
        if [[ " ${packages[*]} " == *" isc-dhcp-server "* ]]; then
            echo "  (the package enables a dhcpd service for this machine's network; the demo does not use it:" >&2
            echo "   ${sudo}systemctl disable --now isc-dhcp-server)" >&2
        fi
    fi
    if [ $no_dotnet -eq 1 ]; then
        echo "  dotnet, the .NET 10 SDK: https://learn.microsoft.com/dotnet/core/install/linux" >&2
        echo "    (Debian 12: ${sudo}apt-get install -y dotnet-sdk-10.0 after adding Microsoft's package repository," >&2
        echo "     or: curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0)" >&2
    fi
    exit 1
fi

ns=(unshare -rn --pid --fork --kill-child --mount-proc)
if ! "${ns[@]}" true >/dev/null 2>&1; then
    ns=(unshare -rn --mount)
    if ! "${ns[@]}" true >/dev/null 2>&1; then
        echo "demo/run.sh: cannot create a private network namespace (unshare -rn). Unprivileged user namespaces may be" >&2
        echo "  switched off: ${sudo}sysctl -w kernel.unprivileged_userns_clone=1 (Debian), or user.max_user_namespaces." >&2
        exit 1
    fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "demo: dotnet tool restore (the pinned pwsh)"
if ! restore_log=$(dotnet tool restore 2>&1); then
    echo "$restore_log" >&2
    echo "demo: dotnet tool restore failed" >&2
    exit 1
fi
echo "demo: dotnet build demo/DemoHost -c Release (builds and assembles the module in output/PSOmapi/)"
if ! build_log=$(dotnet build demo/DemoHost/DemoHost.csproj -c Release -nologo -v quiet 2>&1); then
    echo "$build_log" >&2
    echo "demo: the build failed" >&2
    exit 1
fi

# A private TMPDIR: the demo's temp directory (dhcpd.conf and the key of this run) goes there, with the files bind-mounted
# over /etc/hosts and /etc/dhcp inside the namespace; it is removed here even if the run is killed before the demo
# cleans up.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/psomapi-demo.XXXXXX")
trap 'rm -rf "$run_tmp"' EXIT

# bash (not exec'd dotnet) stays PID 1 in the namespace and reaps orphans.
# $1 the ip binary, $2 this run's private files (hosts, etc-dhcp).
inner='
set -eu
"$1" link set lo up
export PSOMAPI_NETNS=1
# Private to this mount namespace: DemoHost adds the server names and the key file of the README there.
mount --bind "$2/hosts" /etc/hosts
mount --bind "$2/etc-dhcp" /etc/dhcp
rc=0
dotnet demo/DemoHost/bin/Release/net10.0/PSOmapi.DemoHost.dll || rc=$?
exit "$rc"
'
cp /etc/hosts "$run_tmp/hosts"
printf '# psomapi-demo: this namespace only\n' >> "$run_tmp/hosts"
mkdir -p "$run_tmp/etc-dhcp"
touch "$run_tmp/etc-dhcp/.psomapi-demo"
rc=0
TMPDIR="$run_tmp" "${ns[@]}" bash -c "$inner" demo "$ip_bin" "$run_tmp" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "demo: failed (exit code $rc)" >&2
fi
exit "$rc"
