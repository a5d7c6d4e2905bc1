# Every default table view of PSOmapi.Format.ps1xml, rendered as an 80-column terminal shows it (Out-String -Width 80):
# every header present, no line wider than 80, every value whole; only the last column, free text, may be cut, and then
# it ends in an ellipsis. Times are shown in the local zone (the TimeZone-tagged tests run again under UTC+9).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi
    $PSStyle.OutputRendering = 'PlainText'
    $script:session = Connect-TestServer
    $script:scenario = [PSOmapi.Testing.DhcpdScenario]

    # The lines an 80-column terminal shows for these objects, trailing blanks removed; no line may be wider.
    function Show-At80 {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $all = [System.Collections.Generic.List[object]]::new() }
        process { $all.Add($InputObject) }
        end {
            $lines = @(($all | Out-String -Width 80) -split '\r?\n' | ForEach-Object TrimEnd)
            foreach ($line in $lines) {
                $line.Length | Should -BeLessOrEqual 80 -Because "'$line' must fit 80 columns"
            }
            $lines
        }
    }

    # The header line, with these labels in this order, and the dashes under each.
    function Assert-Header([string[]] $Lines, [string[]] $Labels) {
        $pattern = '^' + (($Labels | ForEach-Object { [regex]::Escape($_) }) -join '\s+') + '$'
        $index = [array]::FindIndex([string[]]$Lines, [Predicate[string]] { param($l) $l -match $pattern })
        $index | Should -BeGreaterOrEqual 0 -Because "the headers '$($Labels -join ' ')' must all show, in one line:`n$($Lines -join "`n")"
        $Lines[$index + 1] | Should -Match ('^' + (@($Labels | ForEach-Object { '-+' }) -join '\s+') + '$')
        $index
    }

    # The row whose columns are exactly these values, in order; the last may be cut short with an ellipsis.
    function Assert-Row([string[]] $Lines, [string[]] $Values, [switch] $LastMayBeCut) {
        $parts = @($Values | ForEach-Object { [regex]::Escape($_) })
        if ($LastMayBeCut) {
            $last = $Values[-1]
            $prefixes = @(for ($n = $last.Length - 1; $n -ge 1; $n--) { [regex]::Escape($last.Substring(0, $n)) + '…' })
            $parts[-1] = '(?:' + (@([regex]::Escape($last)) + $prefixes -join '|') + ')'
        }
        $pattern = '^\s*' + ($parts -join '\s+') + '$'
        @($Lines -match $pattern).Count | Should -Be 1 -Because "one row must read '$($Values -join ' ')':`n$($Lines -join "`n")"
        @($Lines -match $pattern)[0]
    }
}

AfterAll {
    Disconnect-Omapi -All
}

Describe 'The session table' {
    It 'shows id, connection, port, algorithm, key and server, and never the secret' {
        $lines = Get-OmapiSession -Id $session.Id | Show-At80
        Assert-Header $lines 'Id', 'Connected', 'Port', 'Algorithm', 'KeyName', 'Server' | Out-Null
        $server = Get-TestServer
        Assert-Row $lines "$($session.Id)", 'True', "$($server.Port)", $server.Algorithm, $server.KeyName, $server.Server | Out-Null
        # Nor in any property, its text, its list view, JSON or CSV.
        $secret = $server.Credential.GetNetworkCredential().Password
        $everything = @(
            $lines
            $session.ToString()
            $session.PSObject.Properties | ForEach-Object { "$($_.Name)=$($_.Value)" }
            $session | Format-List * | Out-String
            $session | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue
            $session | ConvertTo-Csv
        ) -join "`n"
        $everything | Should -Match ('KeyName=' + [regex]::Escape($server.KeyName))
        $everything.Contains($secret) | Should -BeFalse
    }
}

Describe 'The lease table' {
    It 'shows address, state, MAC, end, flags and hostname of every kind of seeded lease' {
        $seeded = @($scenario::SeededLeases)
        $lines = Get-OmapiLease -IPAddress $seeded.IpAddress | Show-At80
        Assert-Header $lines 'IPAddress', 'State', 'MacAddress', 'Ends', 'Flags', 'Hostname' | Out-Null
        foreach ($l in $seeded) {
            $values = @($l.IpAddress.ToString(), [string][Omapi.Core.Objects.LeaseState]$l.ExpectedState)
            if ($l.HardwareAddress) { $values += $l.HardwareAddress }
            $values += $l.EndsUtc.ToLocalTime().ToString('yyyy-MM-dd HH:mm'), '----'
            if ($l.ClientHostname) { $values += $l.ClientHostname }
            Assert-Row $lines $values | Out-Null
        }
    }

    It 'shows a set flag as its letter: R for Reserved' {
        try {
            $lines = Set-OmapiLease -IPAddress 198.51.100.204 -Reserved $true -PassThru | Show-At80
            Assert-Row $lines '198.51.100.204', 'Free', '-R--' | Out-Null
        }
        finally {
            Set-OmapiLease -IPAddress 198.51.100.204 -Reserved $false -State Free -WarningAction SilentlyContinue
        }
    }

    It 'cuts only a long hostname, at the end, and nothing before it' {
        $stress = Connect-TestServer -Name 'hmac-sha256'
        try {
            $long = $scenario::StressLeases | Where-Object ClientHostname | Sort-Object { $_.ClientHostname.Length } -Descending | Select-Object -First 1
            $long.ClientHostname.Length | Should -BeGreaterThan 20
            $lines = Get-OmapiLease -IPAddress $long.IpAddress -Session $stress | Show-At80
            $row = Assert-Row $lines $long.IpAddress.ToString(), 'Active', $long.HardwareAddress, $long.EndsUtc.ToLocalTime().ToString('yyyy-MM-dd HH:mm'), '----', $long.ClientHostname -LastMayBeCut
            $row | Should -Match '…$'
            $row.Length | Should -Be 80
        }
        finally {
            Disconnect-Omapi -Session $stress
        }
    }
}

Describe 'The lease table''s times' -Tag 'TimeZone' {
    It 'shows the end time in the local zone (UTC+9 in the second pass)' {
        $known = $scenario::SeededLeases | Where-Object ExpectedState -EQ 2 | Select-Object -First 1
        $lines = Get-OmapiLease -IPAddress $known.IpAddress | Show-At80
        $local = $known.EndsUtc.ToLocalTime().ToString('yyyy-MM-dd HH:mm')
        if ($env:TZ) {
            [TimeZoneInfo]::Local.BaseUtcOffset | Should -Be ([TimeSpan]::FromHours(9))
            $local | Should -Be $known.EndsUtc.AddHours(9).ToString('yyyy-MM-dd HH:mm')
        }
        Assert-Row $lines $known.IpAddress.ToString(), 'Active', $known.HardwareAddress, $local, '----', $known.ClientHostname | Out-Null
    }
}

Describe 'The host table' {
    It 'shows MAC, fixed address and name of the configured hosts' {
        $lines = Get-OmapiHost -Name @($scenario::ConfHosts.Name) | Show-At80
        Assert-Header $lines 'MacAddress', 'IPAddress', 'Name' | Out-Null
        foreach ($h in $scenario::ConfHosts) {
            $values = @()
            if ($h.HardwareAddress) { $values += $h.HardwareAddress }
            if ($h.FixedAddress) { $values += $h.FixedAddress.ToString() }
            $values += $h.Name
            Assert-Row $lines $values | Out-Null
        }
    }

    It 'shows several fixed addresses as the first and a count, and cuts only a long name' {
        $name = 'formatting-' + [guid]::NewGuid().ToString('N') + '-a-name-longer-than-the-table-has-room-for'
        $created = New-OmapiHost -Name $name -MacAddress 02:00:00:f0:00:01 -IPAddress 203.0.113.240, 203.0.113.241 -WarningAction SilentlyContinue
        try {
            $lines = $created | Show-At80
            $row = Assert-Row $lines '02:00:00:f0:00:01', '203.0.113.240 +1', $name -LastMayBeCut
            $row | Should -Match '…$'
        }
        finally {
            $created | Remove-OmapiHost -Confirm:$false
        }
    }
}

Describe 'The group, class and subclass tables' {
    It 'shows a group''s name' {
        $lines = Get-OmapiGroup -Name $scenario::GroupName | Show-At80
        Assert-Header $lines 'Name' | Out-Null
        Assert-Row $lines $scenario::GroupName | Out-Null
    }

    It 'shows a class''s lease limit, leases used and name' {
        $class = Get-OmapiClass -Name $scenario::ClassName
        $lines = $class | Show-At80
        Assert-Header $lines 'LeaseLimit', 'LeasesUsed', 'Name' | Out-Null
        Assert-Row $lines "$($class.LeaseLimit)", "$($class.LeasesUsed)", $scenario::ClassName | Out-Null
    }

    It 'shows subclasses under their class, with limit, leases used and hash string' {
        $hash = $scenario::ToColonHex($scenario::SubclassHashString)
        $subclass = Get-OmapiSubclass -ClassName $scenario::ClassName -HashString $hash
        $lines = $subclass | Show-At80
        @($lines -match ('^\s*Class: ' + [regex]::Escape($scenario::ClassName) + '$')).Count | Should -Be 1
        Assert-Header $lines 'LeaseLimit', 'LeasesUsed', 'HashString' | Out-Null
        Assert-Row $lines "$($subclass.LeaseLimit)", "$($subclass.LeasesUsed)", $hash | Out-Null
    }
}

Describe 'The pool, control and raw object tables' {
    It 'shows a pool''s counts and server' {
        $lease = Get-OmapiLease -IPAddress 198.51.100.12
        $raw = Invoke-OmapiRequest -Operation Refresh -Handle $lease.GetPoolHandle()
        $pool = [Omapi.Core.Objects.OmapiPool]::FromObject($raw, $raw.Server)
        $lines = $pool | Show-At80
        Assert-Header $lines 'LeaseCount', 'FreeLeases', 'BackupLeases', 'Server' | Out-Null
        Assert-Row $lines "$($scenario::RangeSize)", "$($pool.FreeLeases)", "$($pool.BackupLeases)", $lease.Server | Out-Null
    }

    It 'shows the control object''s state and server' {
        $raw = Invoke-OmapiRequest -Operation Open -Type control
        $control = [Omapi.Core.Objects.OmapiControl]::FromObject($raw, $raw.Server)
        $lines = $control | Show-At80
        Assert-Header $lines 'State', 'Server' | Out-Null
        Assert-Row $lines 'Startup', $raw.Server | Out-Null
    }

    It 'shows a raw object''s type and values as omshell prints them, the values cut at the end' {
        $lines = Invoke-OmapiRequest -Operation Open -Type lease -Values @{ 'ip-address' = [ipaddress]'198.51.100.12' } | Show-At80
        Assert-Header $lines 'Type', 'Values' | Out-Null
        $row = @($lines -match '^lease\s+')
        $row.Count | Should -Be 1
        $row[0] | Should -Match '^lease\s+\S+=\S+; '
        $row[0] | Should -Match '…$'
    }
}

Describe 'The failover table' {
    It 'shows role, local and partner state and the peer''s name' {
        $failover = Connect-TestServer -Name 'failover'
        try {
            $peer = Get-OmapiFailoverState -Name $scenario::FailoverPeer.Name -Session $failover
            $lines = $peer | Show-At80
            Assert-Header $lines 'Role', 'LocalState', 'PartnerState', 'Name' | Out-Null
            Assert-Row $lines 'Primary', "$($peer.LocalState)", "$($peer.PartnerState)", $scenario::FailoverPeer.Name | Out-Null
        }
        finally {
            Disconnect-Omapi -Session $failover
        }
    }
}

Describe 'The notification tables' {
    BeforeAll {
        $script:address = '198.51.100.205'
        $script:subscription = Register-OmapiNotify -IPAddress $address -IntervalSec 1 -SourceIdentifier 'formatting-notify' -PassThru
    }
    AfterAll {
        Unregister-OmapiNotify -SourceIdentifier 'formatting-notify' -ErrorAction SilentlyContinue
        Remove-Event -SourceIdentifier 'formatting-notify' -ErrorAction SilentlyContinue
        Set-OmapiLease -IPAddress $address -State Free -Reserved $false -WarningAction SilentlyContinue
    }

    It 'shows a subscription''s state, objects, interval, polls and source identifier' {
        $lines = $subscription | Show-At80
        Assert-Header $lines 'State', 'Watched', 'IntervalSec', 'Polls', 'SourceIdentifier' | Out-Null
        # Its polls go on while it is shown: any number.
        @($lines -match '^Running\s+1\s+1\s+\d+\s+formatting-notify$').Count | Should -Be 1 -Because ($lines -join "`n")
    }

    It 'shows a change under its key, with its local time, kind and changes' {
        Set-OmapiLease -IPAddress $address -State Active -Ends (Get-Date).AddDays(1) -WarningAction SilentlyContinue
        $event = Wait-Event -SourceIdentifier 'formatting-notify' -Timeout 15
        $event | Should -Not -BeNullOrEmpty
        $change = $event.SourceEventArgs
        $lines = $change | Show-At80
        @($lines -match ('^\s*Key: lease ' + [regex]::Escape($address) + '$')).Count | Should -Be 1
        Assert-Header $lines 'Time', 'Kind', 'Changes' | Out-Null
        $row = Assert-Row $lines $change.Timestamp.ToLocalTime().ToString('HH:mm:ss'), 'Appeared', ([PSOmapi.OmapiFormat]::Changes($change)) -LastMayBeCut
        $row | Should -Match 'State: Free -> Active'

        # Its changes, one row each, with the values the lease exchanges.
        $lines = $change.Changes | Show-At80
        Assert-Header $lines 'Name', 'OldValue', 'NewValue' | Out-Null
        Assert-Row $lines 'State', 'Free', 'Active' | Out-Null
    }
}
