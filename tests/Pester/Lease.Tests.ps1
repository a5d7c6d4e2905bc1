# Get-OmapiLease and Set-OmapiLease. The progress tests scan the crossing-md5 instance's layout (4,096 addresses,
# 768 leases: tests/TestLab/DhcpdScenario.cs) in a runspace of their own, whose progress stream they count.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi

    if (-not ('PSOmapiTests.SlowProgress' -as [type])) {
        # A slow host: every progress record takes this long to "show" (the stream's DataAdded runs on the pipeline
        # thread, inside WriteProgress), like a terminal that does not answer cursor queries.
        Add-Type -TypeDefinition @'
namespace PSOmapiTests
{
    using System.Management.Automation;
    using System.Threading;

    public static class SlowProgress
    {
        public static void Attach(PSDataCollection<ProgressRecord> records, int milliseconds)
        {
            records.DataAdded += (sender, e) => Thread.Sleep(milliseconds);
        }
    }
}
'@
    }

    function Invoke-CrossingScan {
        <# Scans the crossing layout -Repeat times in one Get-OmapiLease -Range call, in a new runspace; returns the
           lease count, the milliseconds the command took (measured in that runspace) and the progress records. #>
        param([int] $Repeat = 1, [int] $SlowProgressMilliseconds = 0, [string] $Range, [switch] $Force)
        $server = Get-TestServer -Name crossing-md5
        if (-not $Range) {
            $Range = [PSOmapi.Testing.DhcpdScenario]::CrossingScanRange
        }
        $ranges = @(, $Range * $Repeat)
        $ps = [powershell]::Create()
        try {
            if ($SlowProgressMilliseconds -gt 0) {
                [PSOmapiTests.SlowProgress]::Attach($ps.Streams.Progress, $SlowProgressMilliseconds)
            }
            $null = $ps.AddScript({
                    param($Server, $Port, $KeyFile, $Ranges, $Force)
                    Import-Module PSOmapi
                    $null = Connect-Omapi -Server $Server -Port $Port -KeyFile $KeyFile
                    $clock = [Diagnostics.Stopwatch]::StartNew()
                    $count = @(Get-OmapiLease -Range $Ranges -Force:$Force).Count
                    $clock.Stop()
                    Disconnect-Omapi -All
                    [pscustomobject]@{ Leases = $count; Milliseconds = $clock.ElapsedMilliseconds }
                }).AddArgument($server.Server).AddArgument($server.Port).AddArgument($server.KeyFile).AddArgument($ranges).AddArgument([bool] $Force)
            $result = $ps.Invoke() | Select-Object -Last 1
            $ps.Streams.Error | Should -BeNullOrEmpty
            [pscustomobject]@{
                Leases       = $result.Leases
                Milliseconds = $result.Milliseconds
                Records      = @($ps.Streams.Progress)
                Processing   = @($ps.Streams.Progress | Where-Object RecordType -EQ 'Processing')
            }
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Get-OmapiLease -Range progress' {
    It 'is paced by elapsed time, not by results: at most one record per 200 ms (a scan of about 3 s)' {
        # Progress starts only for a scan that will last more than a second (ProgressThrottle), so the scan is sized to
        # this machine: about 3 s at the rate a first scan of 5 x 4,096 addresses measures (a fixed 15 x 4,096 took
        # 1.2 s here and wrote 6 records; a machine a fifth faster would have written none).
        $probe = Invoke-CrossingScan -Repeat 5
        $repeat = [math]::Max(15, [math]::Ceiling(3000 / ([math]::Max(1, $probe.Milliseconds) / 5)))
        $addresses = 4096 * $repeat
        $scan = Invoke-CrossingScan -Repeat $repeat -Force:($addresses -gt 65536)
        $scan.Leases | Should -Be (768 * $repeat)
        Write-Host "  $($scan.Leases) leases from $addresses addresses in $($scan.Milliseconds) ms: $($scan.Processing.Count) progress records"
        $scan.Processing.Count | Should -BeGreaterThan 0
        $scan.Processing.Count | Should -BeLessOrEqual ([math]::Floor($scan.Milliseconds / 200))
        # A new record each time (hosts may keep them), closed by one Completed record.
        @($scan.Processing | Select-Object -Unique).Count | Should -Be $scan.Processing.Count
        $scan.Records[-1].RecordType | Should -Be 'Completed'
        $scan.Records[-1].Activity | Should -BeLike '*198.18.0.0-198.18.15.255*'
        $total = [string]::Format([cultureinfo]::InvariantCulture, '{0:N0}', $addresses)
        $scan.Processing[-1].StatusDescription | Should -Match ('^[\d,]+ of ' + [regex]::Escape($total) + ' addresses \(198\.18\.')
    }

    It 'a scan shorter than the interval writes no progress at all' {
        $scan = Invoke-CrossingScan -Range 198.18.0.16-198.18.0.31
        $scan.Leases | Should -Be 16
        if ($scan.Milliseconds -lt 200) {
            $scan.Records | Should -BeNullOrEmpty
        }
        else {
            $scan.Processing.Count | Should -BeLessOrEqual ([math]::Floor($scan.Milliseconds / 200))
        }
    }

    It 'a scan that will be over within about a second writes no progress (a pwsh process takes ~140 ms to show its first record)' {
        # 20,480 addresses: well past the 200 ms interval, so the old rule (a record every 200 ms) wrote several.
        $scan = Invoke-CrossingScan -Repeat 5
        $scan.Leases | Should -Be (768 * 5)
        Write-Host "  $(4096 * 5) addresses in $($scan.Milliseconds) ms: $($scan.Records.Count) progress records"
        if ($scan.Milliseconds -lt 1000) {
            $scan.Records | Should -BeNullOrEmpty
        }
    }

    It 'costs at most about a fifth of the scan when each record takes 300 ms to show' {
        # 40 x 4,096 addresses (-Force: more than a /16): a few seconds, so that progress is shown at all.
        $slow = 300
        $scan = Invoke-CrossingScan -Repeat 40 -SlowProgressMilliseconds $slow -Force
        $scan.Leases | Should -Be (768 * 40)
        $scan.Records | Should -Not -BeNullOrEmpty
        $inProgress = $scan.Records.Count * $slow
        Write-Host "  $($scan.Milliseconds) ms in all, $inProgress ms of it showing $($scan.Records.Count) progress records"
        # The first record may come before the pacing has measured a write; after that, four times a write's cost.
        $inProgress | Should -BeLessOrEqual ($scan.Milliseconds / 4 + 2 * $slow)
        $scan.Processing.Count | Should -BeLessOrEqual ([math]::Floor($scan.Milliseconds / 200))
    }
}

Describe 'Get-OmapiLease when dhcpd takes no more connections' {
    # dhcpd 4.4.3 closes at once every OMAPI connection whose descriptor is above 200 (about 190 from all clients
    # together). A bulk lookup starts on the session's open connection and opens its others while it runs: the ones
    # dhcpd closes leave it on fewer, and it still returns every lease (docs/design/core-connection.md).
    BeforeAll {
        $server = Get-TestServer -Name crossing-md5
        $session = Connect-Omapi -Server $server.Server -Port $server.Port -KeyFile $server.KeyFile

        function Open-HeldConnection {
            <# A TCP connection to dhcpd's OMAPI port that got its 8-byte intro (dhcpd took it), or $null when dhcpd closed
               it before the intro (no room). #>
            $client = [System.Net.Sockets.TcpClient]::new()
            $client.Connect($server.Server, $server.Port)
            $client.ReceiveTimeout = 5000
            $intro = [byte[]]::new(8)
            $read = 0
            try {
                while ($read -lt 8) {
                    $n = $client.GetStream().Read($intro, $read, 8 - $read)
                    if ($n -eq 0) { break }
                    $read += $n
                }
            }
            catch [System.IO.IOException] {
                $read = 0
            }
            if ($read -eq 8) {
                return $client
            }
            $client.Dispose()
            return $null
        }

        $hogs = [System.Collections.Generic.List[System.Net.Sockets.TcpClient]]::new()
        $refused = $false
        while (-not $refused -and $hogs.Count -lt 400) {
            $client = Open-HeldConnection
            if ($client) {
                $hogs.Add($client)
            }
            else {
                $refused = $true
            }
        }
    }

    AfterAll {
        foreach ($client in $hogs) { $client.Dispose() }
        Disconnect-Omapi -Session $session
    }

    It 'is full: a new connection is closed before its intro' {
        Write-Host "  dhcpd closed a new connection after $($hogs.Count) were held open"
        $refused | Should -BeTrue -Because "dhcpd accepted $($hogs.Count) connections without closing one"
        $hogs.Count | Should -BeGreaterThan 100
    }

    It 'scans a range on the one connection it has and returns every lease' {
        $session.Connections | Should -Be 1
        $leases = Get-OmapiLease -Range ([PSOmapi.Testing.DhcpdScenario]::CrossingScanRange) -Session $session -ThrottleLimit 4 -ErrorVariable failed
        $failed | Should -BeNullOrEmpty
        $leases.Count | Should -Be 768
        $session.Connections | Should -Be 1
    }

    It 'takes the connections it asks for once dhcpd has room again' {
        foreach ($client in $hogs) { $client.Dispose() }
        $hogs.Clear()
        # dhcpd has room again once it has noticed the closed connections: a probe connection gets its intro.
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while ($null -eq ($probe = Open-HeldConnection) -and $clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 100 }
        $probe | Should -Not -BeNullOrEmpty -Because 'dhcpd should take connections again within 10 s of the held ones closing'
        $probe.Dispose()
        $leases = Get-OmapiLease -Range ([PSOmapi.Testing.DhcpdScenario]::CrossingScanRange) -Session $session -ThrottleLimit 4
        $leases.Count | Should -Be 768
        $session.Connections | Should -Be 4
    }
}
