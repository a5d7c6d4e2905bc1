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
