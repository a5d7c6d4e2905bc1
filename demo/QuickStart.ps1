#! PSOmapi quick start, as demo/run.sh shows it (through demo/Show-Demo.ps1): each statement is shown as "PS> ..."
#! with its output. These are the README's quick start statements, as far as they run unattended (the README also
#! connects with Get-Credential, which asks for the secret; its Pester example runs in tests/Pester/Examples.Tests.ps1).
#! The dhcpd it talks to is the documentation's world (tests/TestLab/DocsWorld.cs) in a private namespace, where
#! dhcp1.example.net and /etc/dhcp/omapi.key lead to it. tests/Pester/Demo.Tests.ps1 runs this file against the same
#! world and checks the README's output excerpts against what it prints.
#! "#! expect ErrorId" marks a statement that fails on purpose.

Import-Module PSOmapi

# Read the key block straight from a file (dhcpd.conf syntax, as tsig-keygen writes it):
Connect-Omapi dhcp1.example.net -KeyFile /etc/dhcp/omapi.key

Get-OmapiLease -IPAddress 203.0.113.63
Get-OmapiLease -MacAddress 00-11-22-33-44-55
'203.0.113.63', '203.0.113.64' | Get-OmapiLease

# OMAPI cannot list leases: -Range asks for every address of a range, many at a time, within dhcpd's safe budget.
Get-OmapiLease -Range 203.0.113.0/24 -State Active, Abandoned

# Hosts (reservations): MACs in any of the three usual notations, always shown with colons.
New-OmapiHost -Name printer7 -MacAddress 02-00-00-aa-bb-07 -IPAddress 203.0.113.7
Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost -WhatIf
Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost

# Changes: dhcpd 4.4 does not implement OMAPI's NOTIFY, so Register-OmapiNotify polls (every 5 s) and raises events.
Register-OmapiNotify -IPAddress 203.0.113.63 -SourceIdentifier lease63
# A change, as another admin, a client or dhcpd itself makes one: the address is reserved for its client.
Set-OmapiLease -IPAddress 203.0.113.63 -Reserved $true
$change = Wait-Event -SourceIdentifier lease63 -Timeout 300
$change.SourceEventArgs.Changes          # Name, OldValue, NewValue
Unregister-OmapiNotify -SourceIdentifier lease63

# No lease outside the ranges of dhcpd.conf: the error says so, with dhcpd's own code and message.
#! expect LeaseNotFound
Get-OmapiLease -IPAddress 203.0.113.250
$Error[0].FullyQualifiedErrorId

Get-OmapiSession
Disconnect-Omapi
