#! PSOmapi quick start, as demo/run.sh shows it (through demo/Show-Demo.ps1): each statement is shown as "PS> ..."
#! with its output. The dhcpd it talks to runs in a private network namespace with a handful of sample leases; the
#! current directory holds omapi.key, the key block that dhcpd.conf includes (omapi-key omapi_key;).
#! "#! expect ErrorId" marks a statement that fails on purpose.

Import-Module PSOmapi

# Connect with the server's OMAPI key: a key file, or -Credential (user name = key name, password = secret).
Connect-Omapi -Server 127.0.0.1 -KeyFile ./omapi.key

# Leases by IP address, by MAC address in any notation, or piped.
Get-OmapiLease -IPAddress 198.51.100.10
Get-OmapiLease -MacAddress 00-16-3e-5a-01-11
'198.51.100.12', '198.51.100.13', '198.51.100.14' | Get-OmapiLease

# No lease outside the ranges of dhcpd.conf: the error says so, with dhcpd's own code and message.
#! expect LeaseNotFound
Get-OmapiLease -IPAddress 198.51.100.251
$Error[0].FullyQualifiedErrorId

# Hosts (reservations): the MAC in any notation, always shown with colons.
New-OmapiHost -Name printer7 -MacAddress 02-00-00-aa-bb-07 -IPAddress 198.51.100.7
Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost -WhatIf
Remove-OmapiHost -Name printer7
#! expect HostNotFound
Get-OmapiHost -Name printer7

# Changes: dhcpd 4.4 does not implement OMAPI's NOTIFY, so Register-OmapiNotify polls and raises PowerShell events.
Register-OmapiNotify -IPAddress 198.51.100.14 -SourceIdentifier reclaim -IntervalSec 1
# A change, as another admin, a client or dhcpd itself makes one: the abandoned address goes back to the pool.
Set-OmapiLease -IPAddress 198.51.100.14 -State Free
$change = Wait-Event -SourceIdentifier reclaim -Timeout 10
$change.SourceEventArgs.ToString()
$change.SourceEventArgs.Changes
Unregister-OmapiNotify -SourceIdentifier reclaim

Get-OmapiSession
Disconnect-Omapi
