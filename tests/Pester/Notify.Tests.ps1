# Register-OmapiNotify and Unregister-OmapiNotify.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe 'Completion of Unregister-OmapiNotify -SourceIdentifier' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
        $suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $names = @("pester-lease-$suffix", "pester-host-$suffix", "pester watch $suffix")
        Register-OmapiNotify -IPAddress 198.51.100.11 -SourceIdentifier $names[0] -IntervalSec 60
        Register-OmapiNotify -HostName fixedhost -SourceIdentifier $names[1] -IntervalSec 60
        Register-OmapiNotify -IPAddress 198.51.100.12 -SourceIdentifier $names[2] -IntervalSec 60
        # An event subscription that is not the module's.
        $timer = [System.Timers.Timer]::new(60000)
        Register-ObjectEvent -InputObject $timer -EventName Elapsed -SourceIdentifier "pester-timer-$suffix"
    }
    AfterAll {
        Unregister-OmapiNotify -SourceIdentifier "pester*$suffix" -ErrorAction SilentlyContinue
        Unregister-Event -SourceIdentifier "pester-timer-$suffix" -ErrorAction SilentlyContinue
        $timer.Dispose()
        Disconnect-Omapi -All
    }

    It 'offers the module''s watches (quoted where needed) on <_>, not other subscriptions nor file names' -ForEach @(
        'Unregister-OmapiNotify -SourceIdentifier pester', 'Unregister-OmapiNotify pester'
    ) {
        $completions = Get-Completion $_
        $completions.CompletionText | Sort-Object | Should -Be (@("pester-host-$suffix", "pester-lease-$suffix", "'pester watch $suffix'") | Sort-Object)
        $completions.ListItemText | Should -Contain "pester watch $suffix"
        ($completions | Where-Object ListItemText -EQ "pester-host-$suffix").ToolTip | Should -BeLike "pester-host-$suffix*objects on*"
    }

    It 'narrows to what is typed, and the completion unregisters the watch' {
        $text = (Get-Completion "Unregister-OmapiNotify -SourceIdentifier 'pester watch").CompletionText
        $text | Should -Be "'pester watch $suffix'"
        Invoke-Expression "Unregister-OmapiNotify -SourceIdentifier $text"
        (Get-Completion 'Unregister-OmapiNotify -SourceIdentifier pester').ListItemText | Should -Not -Contain "pester watch $suffix"
        Get-EventSubscriber -SourceIdentifier "pester watch $suffix" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Register-OmapiNotify with Wait-Event' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
        $suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:hostName = "notify-$suffix"
        $script:mac = '02:00:' + (($suffix -split '(..)' | Where-Object { $_ }) -join ':')
        $script:source = "notify-wait-$suffix"
        Register-OmapiNotify -HostName $hostName -IntervalSec 1 -SourceIdentifier $source
    }
    AfterAll {
        Unregister-OmapiNotify -SourceIdentifier $source -ErrorAction SilentlyContinue
        Remove-Event -SourceIdentifier $source -ErrorAction SilentlyContinue
        Remove-OmapiHost -Name $hostName -ErrorAction SilentlyContinue
        Disconnect-Omapi -All
    }

    It 'raises Appeared when the watched host is created, with the host as the event''s object' {
        New-OmapiHost -Name $hostName -MacAddress $mac -WarningAction SilentlyContinue
        $event = Wait-Event -SourceIdentifier $source -Timeout 15
        $event | Should -Not -BeNullOrEmpty
        Remove-Event -EventIdentifier $event.EventIdentifier
        $event.SourceEventArgs.Kind | Should -Be 'Appeared'
        $event.SourceEventArgs.Current.Name | Should -Be $hostName
        $event.SourceEventArgs.Current.MacAddress | Should -Be $mac
    }

    It 'raises Disappeared when it is removed' {
        Remove-OmapiHost -Name $hostName -Confirm:$false
        $event = Wait-Event -SourceIdentifier $source -Timeout 15
        $event | Should -Not -BeNullOrEmpty
        Remove-Event -EventIdentifier $event.EventIdentifier
        $event.SourceEventArgs.Kind | Should -Be 'Disappeared'
    }

    It 'returns nothing from Wait-Event -Timeout when nothing changes' {
        Wait-Event -SourceIdentifier $source -Timeout 3 | Should -BeNullOrEmpty
    }
}

Describe 'Register-OmapiNotify -Action' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
        $script:address = '198.51.100.210'
        $script:source = 'notify-action-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Set-OmapiLease -IPAddress $address -State Free -WarningAction SilentlyContinue
        $global:PSOmapiNotifyActionSeen = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        $script:job = Register-OmapiNotify -IPAddress $address -IntervalSec 1 -SourceIdentifier $source -MaxTriggerCount 2 -Action {
            $global:PSOmapiNotifyActionSeen.Enqueue([pscustomobject]@{
                    Kind    = $EventArgs.Kind
                    Address = $EventArgs.Current.IPAddress
                    State   = $EventArgs.Current.State
                })
            "action saw $($EventArgs.Current.IPAddress) $($EventArgs.Current.State)"
        }

        function Wait-ActionCount([int] $Count) {
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ($global:PSOmapiNotifyActionSeen.Count -lt $Count -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 100
            }
        }
    }
    AfterAll {
        Unregister-OmapiNotify -SourceIdentifier $source -ErrorAction SilentlyContinue
        Set-OmapiLease -IPAddress $address -State Free -WarningAction SilentlyContinue
        Remove-Variable -Name PSOmapiNotifyActionSeen -Scope Global -ErrorAction SilentlyContinue
        Disconnect-Omapi -All
    }

    It 'returns the job that runs the action' {
        $job | Should -BeOfType ([System.Management.Automation.PSEventJob])
        $job.Name | Should -Be $source
    }

    It 'runs the action for a change, with the change in $EventArgs, and keeps its output in the job' {
        Set-OmapiLease -IPAddress $address -State Active -Ends (Get-Date).AddHours(1) -WarningAction SilentlyContinue
        Wait-ActionCount 1
        $seen = @($global:PSOmapiNotifyActionSeen)
        $seen.Count | Should -Be 1
        $seen[0].Address | Should -Be $address
        $seen[0].State | Should -Be 'Active'
        $seen[0].Kind | Should -BeIn 'Appeared', 'Changed'
        Receive-Job -Job $job -Keep | Should -Contain "action saw $address Active"
        Get-Event -SourceIdentifier $source -ErrorAction SilentlyContinue | Should -BeNullOrEmpty # an action consumes its events
    }

    It 'stops after -MaxTriggerCount changes: the subscription is gone, later changes run nothing' {
        Set-OmapiLease -IPAddress $address -State Free -WarningAction SilentlyContinue
        Wait-ActionCount 2
        $global:PSOmapiNotifyActionSeen.Count | Should -Be 2
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Get-EventSubscriber -SourceIdentifier $source -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 100
        }
        Get-EventSubscriber -SourceIdentifier $source -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Set-OmapiLease -IPAddress $address -State Active -Ends (Get-Date).AddHours(1) -WarningAction SilentlyContinue
        Start-Sleep -Seconds 3
        $global:PSOmapiNotifyActionSeen.Count | Should -Be 2
    }
}
