# Several runspaces at once, as scripts run them: ForEach-Object -Parallel and Start-ThreadJob, each importing the
# module by name and holding its own session, against one real dhcpd.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi
    $script:main = Get-TestServer -Name main
    $script:range = [PSOmapi.Testing.DhcpdScenario]::RangeSize
}

Describe 'ForEach-Object -Parallel' {
    It 'gives eight runspaces exactly their own answers, in order, with one session each' {
        $server = $script:main
        $results = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module PSOmapi
            $s = $using:server
            $null = Connect-Omapi -Server $s.Server -Port $s.Port -KeyFile $s.KeyFile
            $worker = $_
            # Each runspace scans the whole range 5 times in bulk and 31 addresses one by one, and writes a host of its own.
            $bulk = 1..5 | ForEach-Object { Get-OmapiLease -Range 198.51.100.10-198.51.100.250 }
            $single = 10..40 | ForEach-Object { Get-OmapiLease -IPAddress ('198.51.100.' + $_) }
            $mac = '02:00:00:77:00:0' + $worker
            $null = New-OmapiHost -Name ('par' + $worker) -MacAddress $mac
            $back = Get-OmapiHost -MacAddress $mac
            Remove-OmapiHost -Name ('par' + $worker) -Confirm:$false
            [pscustomobject]@{
                Worker   = $worker
                Bulk     = @($bulk).Count
                Order    = (@($bulk | ForEach-Object { "$($_.IPAddress)".Split('.')[3] }) -join ',')
                Single   = @($single | Where-Object { "$($_.IPAddress)" -like '198.51.100.*' }).Count
                HostBack = $back.Name
                Sessions = @(Get-OmapiSession).Count
                Errors   = $Error.Count
            }
            Disconnect-Omapi
        }

        $results | Should -HaveCount 8
        $expectedOrder = (1..5 | ForEach-Object { 10..250 }) -join ','
        foreach ($r in $results) {
            $r.Bulk | Should -Be (5 * $script:range)
            $r.Order | Should -Be $expectedOrder -Because "worker $($r.Worker) must get its replies in request order"
            $r.Single | Should -Be 31
            $r.HostBack | Should -Be "par$($r.Worker)"
            $r.Sessions | Should -Be 1 -Because 'sessions belong to their runspace'
            $r.Errors | Should -Be 0
        }
        (Get-TestLab) | Out-Null
        $global:PSOmapiTestLab.Main.IsRunning | Should -BeTrue
    }
}

Describe 'Start-ThreadJob' {
    It 'runs lookups in thread jobs that import the module by name' {
        $server = $script:main
        $active = @([PSOmapi.Testing.DhcpdScenario]::ActiveLeases | ForEach-Object { $_.IpAddress.ToString() })
        $jobs = 1..4 | ForEach-Object {
            Start-ThreadJob -ArgumentList $server, $active -ScriptBlock {
                param($s, $addresses)
                Import-Module PSOmapi
                $session = Connect-Omapi -Server $s.Server -Port $s.Port -KeyFile $s.KeyFile
                try {
                    $addresses | Get-OmapiLease -Session $session | ForEach-Object { "$($_.IPAddress) $($_.State)" }
                }
                finally {
                    Disconnect-Omapi -Session $session
                }
            }
        }
        $outputs = $jobs | Receive-Job -Wait -AutoRemoveJob -ErrorVariable jobErrors
        $jobErrors | Should -BeNullOrEmpty
        $outputs | Should -HaveCount (4 * $active.Count)
        foreach ($address in $active) {
            @($outputs | Where-Object { $_ -eq "$address Active" }) | Should -HaveCount 4
        }
    }

    It 'leaves no session behind in the caller when a job ends without disconnecting' {
        $server = $script:main
        $before = @(Get-OmapiSession).Count
        $job = Start-ThreadJob -ArgumentList $server -ScriptBlock {
            param($s)
            Import-Module PSOmapi
            $null = Connect-Omapi -Server $s.Server -Port $s.Port -KeyFile $s.KeyFile
            (Get-OmapiSession).Count
        }
        $job | Receive-Job -Wait -AutoRemoveJob | Should -Be 1
        @(Get-OmapiSession).Count | Should -Be $before
    }
}
