# What the documentation's examples assume, show and do (tests/Pester/Examples.Tests.ps1 runs every one; the keys
# Invoke-DocExample in DocExamples.psm1 understands are described there). An example without an entry needs nothing
# but the documentation's server as DocsWorld.cs describes it, a session to dhcp1.example.net (unless it connects
# itself) and the files of tests/Pester/ExampleFiles, and must leave no error. After every example the server is reset,
# so nothing here cleans up.
#
# Setup, During and Check run in the suite's process, whose default session is the docs server; Before and After run
# in the example's pwsh. The host printer7 (02:00:00:aa:bb:07, 203.0.113.7, group printers) is not in dhcpd.conf:
# examples that create it find it missing, the others get it from their Setup.
@{
    # The minimum number of examples per file: what the files hold today. A change that makes examples vanish (an
    # extraction bug, a heading typo) fails; lower a number only when an example is removed on purpose.
    MinimumCounts = @{
        'README.md'                                  = 5
        'docs/help/Connect-Omapi.md'                 = 5
        'docs/help/Disconnect-Omapi.md'              = 4
        'docs/help/Get-OmapiClass.md'                = 2
        'docs/help/Get-OmapiFailoverState.md'        = 3
        'docs/help/Get-OmapiGroup.md'                = 3
        'docs/help/Get-OmapiHost.md'                 = 4
        'docs/help/Get-OmapiLease.md'                = 6
        'docs/help/Get-OmapiSession.md'              = 3
        'docs/help/Get-OmapiSubclass.md'             = 2
        'docs/help/Invoke-OmapiRequest.md'           = 4
        'docs/help/New-OmapiClass.md'                = 2
        'docs/help/New-OmapiGroup.md'                = 2
        'docs/help/New-OmapiHost.md'                 = 4
        'docs/help/New-OmapiSubclass.md'             = 2
        'docs/help/Register-OmapiNotify.md'          = 5
        'docs/help/Remove-OmapiClass.md'             = 3
        'docs/help/Remove-OmapiGroup.md'             = 3
        'docs/help/Remove-OmapiHost.md'              = 3
        'docs/help/Remove-OmapiSubclass.md'          = 2
        'docs/help/Set-OmapiFailoverState.md'        = 2
        'docs/help/Set-OmapiHost.md'                 = 4
        'docs/help/Set-OmapiLease.md'                = 4
        'docs/help/Stop-OmapiServer.md'              = 2
        'docs/help/Unregister-OmapiNotify.md'        = 3
        'en-US/about_PSOmapi.help.txt'               = 8
        'en-US/about_PSOmapi_Errors.help.txt'        = 2
        'en-US/about_PSOmapi_Notifications.help.txt' = 2
    }

    # Indented blocks of the about topics that name cmdlets but are text, not code ('<file>: <first line>').
    ProseBlocks   = @(
        'en-US/about_PSOmapi.help.txt: Sessions    Connect-Omapi, Get-OmapiSession, Disconnect-Omapi'
        'en-US/about_PSOmapi_Notifications.help.txt: 200 requests per second (one per lease per poll)'
    )

    Examples      = @{
        # ---- README.md ---------------------------------------------------------------------------------------------
        'README.md: Install #1'                                                                            = @{
            # A user of its own (HOME, module path, PSResourceGet's repository list in a scratch home), in the
            # repository, where ./output/packages holds the package the suite built.
            Location = 'Repository'
            Connect  = @()
            Setup    = @'
$home_ = Join-Path $Context.Scratch 'home'
New-Item -ItemType Directory -Force -Path (Join-Path $home_ '.local/share') | Out-Null
$Context.Environment.HOME = $home_
$Context.Environment.XDG_DATA_HOME = Join-Path $home_ '.local/share'
$Context.Environment.PSModulePath = $null
# dotnet finds the pinned pwsh in NuGet's package folder, which is under the real HOME.
$Context.Environment.DOTNET_CLI_HOME = $HOME
$Context.Environment.NUGET_PACKAGES = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
'@
            After    = @'
$m = Get-Module PSOmapi
if (-not $m -or -not $m.ModuleBase.StartsWith($env:XDG_DATA_HOME)) { throw "Import-Module PSOmapi imported '$($m.ModuleBase)', not the copy Install-PSResource put under $env:XDG_DATA_HOME" }
'@
        }
        'README.md: Quick start #4'                                                                        = @{
            # Should -Throw catches the error it expects; PowerShell records it in $Error all the same.
            Errors = @('LeaseNotFound')
        }
        'README.md: Quick start #2'                                                                        = @{
            Check = @'
$Context.Output | Should -Contain 'What if: Performing the operation "Delete" on target "host ''printer7'' on dhcp1.example.net".'
'@
        }
        'README.md: Quick start #3'                                                                        = @{
            During = @'
Wait-ExampleSignal
Set-OmapiLease -IPAddress 203.0.113.63 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
'@
            Check  = @'
($Context.Output -join "`n") | Should -Match 'Flags +None +Reserved'
'@
        }

        # ---- docs/help ---------------------------------------------------------------------------------------------
        'docs/help/Disconnect-Omapi.md: Example 3: Close the sessions of one server'                          = @{
            Connect = @('dhcp1.example.net', 'dhcp2.example.net')
            After   = @'
$left = @(Get-OmapiSession).Server
if ($left -contains 'dhcp2.example.net' -or $left -notcontains 'dhcp1.example.net') { throw "sessions left: $left" }
'@
        }
        'docs/help/Disconnect-Omapi.md: Example 4: Close every session in Pester''s AfterAll'                = @{
            After = @'
if (Get-OmapiSession) { throw 'AfterAll left sessions open' }
'@
        }
        'docs/help/Get-OmapiClass.md: Example 2: Scheduled check of a class''s lease limit'                 = @{
            Check = @'
$Context.Output | Should -Contain 'class guests: 2 of 2 leases used'
'@
        }
        'docs/help/Get-OmapiFailoverState.md: Example 2: Scheduled alert when failover is not normal'       = @{
            Check = @'
$Context.Output | Should -Not -Match 'dhcp failover'
'@
        }
        'docs/help/Get-OmapiHost.md: Example 1: Find hosts by name or MAC address'                          = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
        }
        'docs/help/Get-OmapiHost.md: Example 3: Check a list of reservations in a scheduled script'        = @{
            # lab-pc5 and lab-pc6 are not on the server yet: HostNotFound, silenced, reported as missing.
            Errors = @('HostNotFound')
            Check = @'
$Context.Output | Should -Be @('wrong MAC: printer9 has 02:00:00:aa:bb:09', 'missing: lab-pc5', 'missing: lab-pc6')
'@
        }
        'docs/help/Get-OmapiHost.md: Example 4: Pester tests of reservations'                               = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
        }
        'docs/help/Get-OmapiLease.md: Example 3: Pipe addresses, or objects with an IPAddress'               = @{
            Check = @'
($Context.Output -join "`n") | Should -Match '203\.0\.113\.73 +Expired'
'@
        }
        'docs/help/Get-OmapiLease.md: Example 4: A scheduled report of abandoned addresses'                 = @{
            Check = @'
(Import-Csv (Join-Path $Context.Scratch 'abandoned.csv')).IPAddress | Should -Be '203.0.113.80'
'@
        }
        'docs/help/Get-OmapiLease.md: Example 5: Report the addresses dhcpd does not know'                  = @{
            Errors = @('LeaseNotFound')
            Check  = @'
$Context.Output | Should -Be @('203.0.113.250: LeaseNotFound,PSOmapi.GetOmapiLeaseCommand')
'@
        }
        'docs/help/Get-OmapiSession.md: Example 3: Pester: check which server the tests use'                = @{
            Connect = @('dhcp-test.example.net')
        }
        'docs/help/Get-OmapiSubclass.md: Example 2: Check a list of members in a scheduled script'          = @{
            # printer13 is not a member: SubclassNotFound, silenced, reported.
            Errors = @('SubclassNotFound')
            Check = @'
$Context.Output | Should -Be @('not in known-printers: printer13 (02:00:00:aa:bb:13)')
'@
        }
        'docs/help/New-OmapiClass.md: Example 1: A class of known devices, matched by MAC address'           = @{
            # dhcp1 has the class; the example makes it, so it is not there yet.
            Setup = @'
Remove-OmapiClass -Name known-printers -Confirm:$false
'@
        }
        'docs/help/New-OmapiClass.md: Example 2: Scheduled deployment: create the class if needed'          = @{
            # "Get-OmapiClass writes ClassNotFound (silenced here) when the class does not exist".
            Errors = @('ClassNotFound')
            Setup = @'
Remove-OmapiClass -Name known-printers -Confirm:$false
'@
            Check = @'
(Get-OmapiClass -Name known-printers).Name | Should -Be 'known-printers'
'@
        }
        'docs/help/New-OmapiGroup.md: Example 2: Scheduled: create the groups a site needs'                = @{
            # lab exists: GroupAlreadyExists, skipped quietly as the example says.
            Errors = @('GroupAlreadyExists')
            Check  = @'
(Get-OmapiGroup -Name voip).Name | Should -Be 'voip'
'@
        }
        'docs/help/New-OmapiHost.md: Example 3: Scheduled import of reservations from CSV'                 = @{
            # printer8 and printer9 exist: HostAlreadyExists, skipped quietly as the example says.
            Errors = @('HostAlreadyExists')
            Check  = @'
$Context.Output | Should -BeNullOrEmpty
(Get-OmapiHost -Name lab-pc5, lab-pc6).Name | Should -Be @('lab-pc5', 'lab-pc6')
'@
        }
        'docs/help/New-OmapiSubclass.md: Example 1: Add a device to a match hardware class'                = @{
            Setup = @'
Remove-OmapiSubclass -ClassName known-printers -HashString 01:02:00:00:aa:bb:07 -Confirm:$false
'@
        }
        'docs/help/New-OmapiSubclass.md: Example 2: Nightly sync of an inventory file into a class'        = @{
            # printer11 and printer12 are members already: reported and skipped, as the example says.
            Errors = @('SubclassAlreadyExists')
            Check  = @'
(Get-OmapiSubclass -ClassName known-printers -HashString 01:02:00:00:aa:bb:13).HashString | Should -Be '01:02:00:00:aa:bb:13'
'@
        }
        'docs/help/Register-OmapiNotify.md: Example 1: Wait at the prompt for a lease to change'           = @{
            During = @'
Wait-ExampleSignal
Set-OmapiLease -IPAddress 203.0.113.63 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
'@
            Check  = @'
($Context.Output -join "`n") | Should -Match 'Changed lease 203\.0\.113\.63: .*Flags: None -> Reserved'
'@
        }
        'docs/help/Register-OmapiNotify.md: Example 2: Log every lease change of a subnet'                 = @{
            # "The runspace must stay open for the actions to run": the script then waits for the log.
            After  = @'
Wait-ExampleFile -Path ./dhcp-changes.log -TimeoutSec 60
'@
            During = @'
Wait-ExampleSignal
Set-OmapiLease -IPAddress 203.0.113.64 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
'@
            Check  = @'
Get-Content (Join-Path $Context.Scratch 'dhcp-changes.log') | Should -Match 'Changed lease 203\.0\.113\.64'
'@
        }
        'docs/help/Register-OmapiNotify.md: Example 3: A watchdog started at boot by a scheduled task'     = @{
            # It runs until stopped: once it waits, dhcp1 stops (unreachable: ConnectionLost, reported at once), and
            # the alert must reach the webhook, a local listener here.
            RunsUntilStopped = $true
            Setup            = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
$Context.Environment.ALERT_WEBHOOK = Start-ExampleWebhook
'@
            During           = @'
Wait-ExampleSignal
Stop-TestServer -Name docs
$request = Receive-ExampleWebhook -TimeoutSec 60
$request.Method | Should -Be 'POST'
($request.Body | ConvertFrom-Json).text | Should -Match '^dhcp1: .*ConnectionLost|^dhcp1: .*[Cc]onnection'
'@
        }
        'docs/help/Remove-OmapiClass.md: Example 1: Delete a class, previewing first'                      = @{
            Check = @'
{ Get-OmapiClass -Name known-printers -ErrorAction Stop } | Should -Throw -ErrorId 'ClassNotFound,*'
'@
        }
        'docs/help/Remove-OmapiClass.md: Example 2: Clean up after a Pester test'                           = @{
            Setup = @'
New-OmapiClass -Name pester-class -MatchHardware | Out-Null
'@
            Check = @'
{ Get-OmapiClass -Name pester-class -ErrorAction Stop } | Should -Throw -ErrorId 'ClassNotFound,*'
'@
        }
        'docs/help/Remove-OmapiClass.md: Example 3: Scheduled removal of unused event classes'             = @{
            # event-2025-autumn is gone already: ClassNotFound, silenced by the example.
            Errors = @('ClassNotFound')
            Check  = @'
{ Get-OmapiClass -Name event-2026-spring -ErrorAction Stop } | Should -Throw -ErrorId 'ClassNotFound,*'
(Get-OmapiClass -Name event-2026-summer).LeasesUsed | Should -Be 1
'@
        }
        'docs/help/Remove-OmapiGroup.md: Example 2: Pester: delete the groups a test created'              = @{
            Setup = @'
New-OmapiGroup -Name pester-group -Statements 'default-lease-time 600;' | Out-Null
'@
            Check = @'
{ Get-OmapiGroup -Name pester-group -ErrorAction Stop } | Should -Throw -ErrorId 'GroupNotFound,*'
'@
        }
        'docs/help/Remove-OmapiGroup.md: Example 3: Scheduled removal of retired groups'                   = @{
            # voip-old is gone already: GroupNotFound, not reported.
            Errors = @('GroupNotFound')
            Check  = @'
$Context.Output | Should -BeNullOrEmpty
{ Get-OmapiGroup -Name lab-2024 -ErrorAction Stop } | Should -Throw -ErrorId 'GroupNotFound,*'
'@
        }
        'docs/help/Remove-OmapiHost.md: Example 1: Preview, then delete a host found by MAC address'       = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
            Check = @'
$Context.Output | Should -Contain 'What if: Performing the operation "Delete" on target "host ''printer7'' on dhcp1.example.net".'
'@
        }
        'docs/help/Remove-OmapiHost.md: Example 2: Delete hosts by name or MAC address'                    = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
            Check = @'
{ Get-OmapiHost -Name printer9 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*'
'@
        }
        'docs/help/Remove-OmapiHost.md: Example 3: Scheduled removal of decommissioned devices'            = @{
            # old-pc1 is gone already: HostNotFound, not reported.
            Errors = @('HostNotFound')
            Check  = @'
$Context.Output | Should -BeNullOrEmpty
{ Get-OmapiHost -Name printer9 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*'
'@
        }
        'docs/help/Remove-OmapiSubclass.md: Example 2: Scheduled removal of retired devices'               = @{
            # printer5 is not a member: SubclassNotFound, silenced by the example.
            Errors = @('SubclassNotFound')
            Check  = @'
{ Get-OmapiSubclass -ClassName known-printers -HashString 01:02:00:00:aa:bb:12 -ErrorAction Stop } | Should -Throw -ErrorId 'SubclassNotFound,*'
'@
        }
        'docs/help/Set-OmapiFailoverState.md: Example 1: The partner is down for good: take over'          = @{
            # The partner is down: dhcp1 sees communications-interrupted. The user answers the confirmation.
            Setup   = @'
Stop-TestServer -Name docs-partner
$deadline = [DateTime]::UtcNow.AddSeconds(30)
while ("$((Get-OmapiFailoverState -Name dhcp-failover).LocalState)" -eq 'Normal' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
'@
            Answers = @('y')
            Check   = @'
"$((Get-OmapiFailoverState -Name dhcp-failover).LocalState)" | Should -Be 'PartnerDown'
'@
        }
        'docs/help/Set-OmapiFailoverState.md: Example 2: In a runbook, after checking the partner'         = @{
            # dhcp2 answers pings: nothing changes.
            Check = @'
"$((Get-OmapiFailoverState -Name dhcp-failover).LocalState)" | Should -Be 'Normal'
'@
        }
        'docs/help/Set-OmapiHost.md: Example 1: Move a reservation to another address'                     = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
        }
        'docs/help/Set-OmapiHost.md: Example 2: Rename a host and keep its statements'                     = @{
            Setup = @'
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 -Group printers | Out-Null
'@
            Check = @'
(Get-OmapiHost -MacAddress 02:00:00:aa:bb:07).Name | Should -Be 'printer7-2nd-floor'
'@
        }
        'docs/help/Set-OmapiHost.md: Example 3: Scheduled: preview changes, then apply them'               = @{
            Check = @'
"$((Get-OmapiHost -Name printer9).IPAddress)" | Should -Be '203.0.113.249'
'@
        }
        'docs/help/Set-OmapiLease.md: Example 4: Scheduled clean-up of abandoned leases'                   = @{
            Check = @'
(Import-Csv (Join-Path $Context.Scratch 'reclaimed.csv')).IPAddress | Should -Be '203.0.113.80'
'@
        }
        'docs/help/Stop-OmapiServer.md: Example 1: Stop a server, previewing first'                        = @{
            Answers = @('y')
            Check   = @'
# dhcpd exits a few seconds after it closed the connection.
$deadline = [DateTime]::UtcNow.AddSeconds(30)
while ($global:PSOmapiTestLab.Get('docs').IsRunning -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
$global:PSOmapiTestLab.Get('docs').IsRunning | Should -BeFalse
'@
        }
        'docs/help/Stop-OmapiServer.md: Example 2: Nightly lab reset from a scheduled script'             = @{
            Check = @'
# dhcpd exits a few seconds after it closed the connection.
$deadline = [DateTime]::UtcNow.AddSeconds(30)
while ($global:PSOmapiTestLab.Get('docs').IsRunning -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
$global:PSOmapiTestLab.Get('docs').IsRunning | Should -BeFalse
'@
        }
        'docs/help/Unregister-OmapiNotify.md: Example 1: Stop one watch and drop its queued events'        = @{
            # A watch that has an event queued: the lease changed while it was watched.
            Before = @'
Register-OmapiNotify -IPAddress 203.0.113.63 -SourceIdentifier lease63 -IntervalSec 1
Set-OmapiLease -IPAddress 203.0.113.63 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
if (-not (Microsoft.PowerShell.Utility\Wait-Event -SourceIdentifier lease63 -Timeout 20)) { throw 'no event was queued' }
'@
            After  = @'
if (Get-Event -SourceIdentifier lease63 -ErrorAction SilentlyContinue) { throw 'events are still queued' }
if (Get-EventSubscriber -SourceIdentifier lease63 -ErrorAction SilentlyContinue) { throw 'the watch is still registered' }
'@
        }
        'docs/help/Unregister-OmapiNotify.md: Example 2: A scheduled script that waits up to an hour for a change' = @{
            During = @'
Wait-ExampleSignal
Set-OmapiLease -IPAddress 203.0.113.64 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
'@
            Check  = @'
($Context.Output -join "`n") | Should -Match 'first change: Changed lease 203\.0\.113\.64'
'@
        }

        # ---- about topics ------------------------------------------------------------------------------------------
        'en-US/about_PSOmapi.help.txt: ERRORS #1'                                                          = @{
            Errors = @('LeaseNotFound')
            Check  = @'
$Context.Output | Should -Be @('LeaseNotFound,PSOmapi.GetOmapiLeaseCommand')
'@
        }
        'en-US/about_PSOmapi.help.txt: ERRORS #2'                                                          = @{
            Errors = @('HostNotFound')
        }
        'en-US/about_PSOmapi_Errors.help.txt: LONG DESCRIPTION #2'                                         = @{
            Errors = @('LeaseNotFound')
        }
        'en-US/about_PSOmapi_Errors.help.txt: LONG DESCRIPTION #1'                                         = @{
            Errors = @('LeaseNotFound')
            Check  = @'
$Context.Output | Should -Be @('no lease for that address')
'@
        }
        'en-US/about_PSOmapi_Notifications.help.txt: LONG DESCRIPTION #1'                                  = @{
            During = @'
Wait-ExampleSignal
Set-OmapiLease -IPAddress 203.0.113.63 -Reserved $true -Confirm:$false -WarningAction SilentlyContinue | Out-Null
'@
        }
        'en-US/about_PSOmapi_Notifications.help.txt: LONG DESCRIPTION #2'                                 = @{
            # The script stays open until the action has written the log (the topic's example ends after
            # registering, at the prompt).
            After  = @'
Wait-ExampleFile -Path ./dhcp-changes.log -TimeoutSec 60
'@
            During = @'
Wait-ExampleSignal
New-OmapiHost -Name printer7 -MacAddress 02:00:00:aa:bb:07 -IPAddress 203.0.113.7 | Out-Null
'@
            Check  = @'
Get-Content (Join-Path $Context.Scratch 'dhcp-changes.log') | Should -Match '^Appeared host printer7'
'@
        }
    }
}
