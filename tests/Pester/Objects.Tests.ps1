# The objects PSOmapi emits, as an administrator uses them (docs/design/objects.md): their exchange properties in CSV and
# JSON, their typed views for sorting, filtering and grouping, round trips back into the cmdlets, and times in any zone.
# Against the lab's main dhcpd and its seeded leases and hosts ([PSOmapi.Testing.DhcpdScenario]).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi
    $script:session = Connect-TestServer
    $script:scenario = [PSOmapi.Testing.DhcpdScenario]
    $script:seeded = @($scenario::SeededLeases)
    # The seeded part of the range (.10 .. .31): every kind of seeded lease, and unseeded free ones between them.
    $script:seededRange = '198.51.100.10-198.51.100.31'

    # Leases this file changes: unseeded free ones, each put back to Free without flags.
    function Reset-TestLease([string[]] $Address) {
        Set-OmapiLease -IPAddress $Address -State Free -Reserved $false -WarningAction SilentlyContinue
    }

    # A host of this file: a unique name, a locally administered MAC, removed by the test that creates it.
    function New-TestHost([string[]] $IPAddress) {
        $id = [guid]::NewGuid().ToString('N')
        $mac = '02:00:' + (($id.Substring(0, 8) -split '(..)' | Where-Object { $_ }) -join ':')
        $parameters = @{ Name = "objects-$($id.Substring(0, 12))"; MacAddress = $mac }
        if ($IPAddress) { $parameters.IPAddress = $IPAddress }
        New-OmapiHost @parameters -WarningAction SilentlyContinue
    }
}

AfterAll {
    Disconnect-Omapi -All
}

Describe 'A lease object' {
    BeforeAll {
        # 198.51.100.11: active, with a MAC, a client identifier, a hostname and an end time.
        $script:known = $seeded | Where-Object { $_.ClientIdentifierHex -and $_.ClientHostname -and $_.ExpectedState -eq 2 } | Select-Object -First 1
        $script:lease = Get-OmapiLease -IPAddress $known.IpAddress
    }

    It 'writes its address, MAC, client id, state, flags and times as text in JSON' {
        $json = $lease | ConvertTo-Json
        $json | Should -Match ('"IPAddress": "' + [regex]::Escape($known.IpAddress) + '"')
        $json | Should -Match '"State": "Active"'
        $json | Should -Match '"Flags": "None"'
        $json | Should -Match ('"MacAddress": "' + $known.HardwareAddress + '"')
        $json | Should -Match ('"ClientId": "' + $known.ClientIdentifierHex + '"')
        $json | Should -Match ('"Ends": "' + $known.EndsUtc.ToString('yyyy-MM-ddTHH:mm:ss') + '\+00:00"')
        $json | Should -Match ('"Server": "' + [regex]::Escape($session.Server) + '(:\d+)?"')
    }

    It 'has no handle, variables or raw bytes in JSON or CSV, only the exchange properties' {
        $expected = 'IPAddress', 'State', 'MacAddress', 'HardwareType', 'ClientId', 'ClientHostname', 'Starts', 'Ends',
            'Cltt', 'Tstp', 'Tsfp', 'Atsfp', 'Flags', 'Server'
        ($lease | ConvertTo-Json | ConvertFrom-Json).PSObject.Properties.Name | Should -Be $expected
        $header = ($lease | ConvertTo-Csv)[0] -replace '"', '' -split ','
        $header | Sort-Object | Should -Be ($expected | Sort-Object)
        ($lease | ConvertTo-Csv | Out-String) | Should -Not -Match 'Handle|Variables|System\.|Byte\['
    }

    It 'writes the same text to CSV as to JSON' {
        $row = $lease | ConvertTo-Csv | ConvertFrom-Csv
        $row.IPAddress | Should -Be $known.IpAddress.ToString()
        $row.State | Should -Be 'Active'
        $row.Flags | Should -Be 'None'
        $row.MacAddress | Should -Be $known.HardwareAddress
        $row.ClientId | Should -Be $known.ClientIdentifierHex
        # A time cell reads back as the same instant.
        [DateTimeOffset]::Parse($row.Ends, [cultureinfo]::InvariantCulture) | Should -Be ([DateTimeOffset]$known.EndsUtc)
    }

    It 'shows PowerShell typed values under the same names' {
        $lease.IPAddress | Should -BeOfType ([Omapi.Core.Objects.IPv4Address])
        $lease.State | Should -BeOfType ([Omapi.Core.Objects.LeaseState])
        $lease.Flags | Should -BeOfType ([Omapi.Core.Objects.LeaseFlags])
        $lease.Ends | Should -BeOfType ([DateTimeOffset])
        # The exchange text is the .NET property (psadapted: the object without its type data).
        $lease.psadapted.IPAddress | Should -BeOfType ([string])
        $lease.psadapted.IPAddress | Should -Be $known.IpAddress.ToString()
        $lease.psadapted.State | Should -Be 'Active'
    }

    It 'compares its typed values with text' {
        $lease.IPAddress -eq $known.IpAddress.ToString() | Should -BeTrue
        $lease.IPAddress -eq '198.51.100.250' | Should -BeFalse
        $lease.State -eq 'active' | Should -BeTrue
        $lease.Flags -eq 'None' | Should -BeTrue
        $lease.MacAddress -eq $known.HardwareAddress | Should -BeTrue
    }

    It 'keeps the handle behind a method' {
        $lease.GetHandle() | Should -BeGreaterThan 0
        $lease.PSObject.Properties.Name | Should -Not -Contain 'Handle'
        $lease.GetPoolHandle() | Should -BeGreaterThan 0
    }
}

Describe 'Sorting, filtering and grouping leases' {
    BeforeAll {
        $script:leases = @(Get-OmapiLease -Range $seededRange)
        $script:free = @(Get-OmapiLease -Range '198.51.100.90-198.51.100.110')
    }

    It 'sorts by address as a value: .95 before .100' {
        $sorted = ($free | Sort-Object { Get-Random } | Sort-Object IPAddress).IPAddress | ForEach-Object ToString
        $sorted | Should -Be (90..110 | ForEach-Object { "198.51.100.$_" })
        ($free | Sort-Object IPAddress -Descending)[0].IPAddress | Should -Be '198.51.100.110'
    }

    It 'filters by address, state and flags written as text' {
        @($leases | Where-Object IPAddress -EQ '198.51.100.12').Count | Should -Be 1
        $active = @($seeded | Where-Object ExpectedState -EQ 2 | ForEach-Object { $_.IpAddress.ToString() })
        ($leases | Where-Object State -EQ 'Active').IPAddress | ForEach-Object ToString | Should -Be $active
        @($leases | Where-Object { $_.Flags -ne 'None' }).Count | Should -Be 0
    }

    It 'groups by state under the states'' names' {
        $groups = $leases | Group-Object State
        $expected = @{}
        foreach ($l in $seeded) {
            $name = [string][Omapi.Core.Objects.LeaseState]$l.ExpectedState
            $expected[$name] = 1 + [int]$expected[$name]
        }
        # Every address of the range has a lease: the unseeded ones are free.
        $expected['Free'] = [int]$expected['Free'] + ($leases.Count - $seeded.Count)
        foreach ($group in $groups) {
            $group.Count | Should -Be $expected[$group.Name] -Because "state $($group.Name)"
        }
        ($groups.Name | Sort-Object) | Should -Be ($expected.Keys | Sort-Object)
    }

    It 'passes an address on to other cmdlets' {
        $leaseOfHost = $scenario::LeaseOfLeaseHost
        $lease = Get-OmapiLease -IPAddress $leaseOfHost.IpAddress
        (Get-OmapiHost -IPAddress $lease.IPAddress).Name | Should -Be $scenario::LeaseHost.Name
        (Get-OmapiLease -IPAddress $lease.IPAddress).MacAddress | Should -Be $leaseOfHost.HardwareAddress
        ([ipaddress]$lease.IPAddress).ToString() | Should -Be $leaseOfHost.IpAddress.ToString()
        Invoke-OmapiRequest -Operation Open -Type lease -Values @{ 'ip-address' = $lease.IPAddress } |
            ForEach-Object { $_.Values['ip-address'] } | Should -Be 'c6:33:64:0e'
    }
}

Describe 'Lease flags' {
    BeforeAll { $script:address = '198.51.100.201' }
    AfterAll { Reset-TestLease $address }

    It 'reads Reserved as text in JSON and as a flag value in PowerShell' {
        $reserved = Set-OmapiLease -IPAddress $address -Reserved $true -PassThru
        $reserved.Flags | Should -Be ([Omapi.Core.Objects.LeaseFlags]::Reserved)
        $reserved.Flags.HasFlag([Omapi.Core.Objects.LeaseFlags]::Reserved) | Should -BeTrue
        $reserved | ConvertTo-Json | Should -Match '"Flags": "Reserved"'
        ($reserved | ConvertTo-Csv | ConvertFrom-Csv).Flags | Should -Be 'Reserved'
        @(Get-OmapiLease -Range '198.51.100.195-198.51.100.205' | Where-Object Flags -EQ 'Reserved').IPAddress | Should -Be $address
    }
}

Describe 'Leases exported and read back' {
    BeforeAll {
        $script:leases = @(Get-OmapiLease -Range $seededRange)
        $script:addresses = @($leases.IPAddress | ForEach-Object ToString)
    }

    It 'comes back from Export-Csv and Import-Csv, empty client id cells and all' {
        $file = Join-Path $TestDrive 'leases.csv'
        $leases | Export-Csv -LiteralPath $file
        # Most of the seeded leases have no client identifier: their ClientId cells are empty.
        @(Import-Csv -LiteralPath $file | Where-Object ClientId -EQ '').Count | Should -BeGreaterThan 0
        $back = @(Import-Csv -LiteralPath $file | Get-OmapiLease -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $back.IPAddress | ForEach-Object ToString | Should -Be $addresses
        $back.State | ForEach-Object ToString | Should -Be ($leases.State | ForEach-Object ToString)
    }

    It 'comes back from ConvertTo-Json and ConvertFrom-Json, null values and all' {
        $json = $leases | ConvertTo-Json
        $json | Should -Match '"ClientId": null'
        $back = @($json | ConvertFrom-Json | Get-OmapiLease -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $back.IPAddress | ForEach-Object ToString | Should -Be $addresses
    }

    It 'is looked up by its address when the row has an address, a MAC and a client id' {
        # 198.51.100.30 and .31 share a MAC (a lookup by it finds several): the address must win.
        $twin = $seeded | Where-Object { $_.HardwareAddress -eq $scenario::SharedLeaseMac } | Select-Object -First 1
        $row = [pscustomobject]@{ IPAddress = $twin.IpAddress.ToString(); MacAddress = $twin.HardwareAddress; ClientId = '01:02:03' }
        ($row | Get-OmapiLease -ErrorVariable failed).IPAddress | Should -Be $twin.IpAddress.ToString()
        $failed | Should -BeNullOrEmpty
    }

    It 'takes an empty cell as not given: <Columns>' -ForEach @(
        @{ Columns = 'MacAddress only'; Csv = "IPAddress,MacAddress,ClientId`n,00:11:22:33:44:57,"; Expected = '198.51.100.13' }
        @{ Columns = 'ClientId only'; Csv = "IPAddress,MacAddress,ClientId`n,,01:00:11:22:33:44:55"; Expected = '198.51.100.11' }
        @{ Columns = 'an IPAddress column alone'; Csv = "IPAddress`n198.51.100.15"; Expected = '198.51.100.15' }
    ) {
        $back = @($Csv | ConvertFrom-Csv | Get-OmapiLease -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $back.IPAddress | Should -Be $Expected
    }

    It 'refuses a row with no key at all, naming what it needs' {
        [pscustomobject]@{ IPAddress = ''; MacAddress = $null; Note = 'x' } | Get-OmapiLease -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
        $failed[0].Exception.Message | Should -Match 'IPAddress, MacAddress or ClientId'
    }

    It 'still takes addresses piped as text and as [IPAddress]' {
        ('198.51.100.12', [ipaddress]'198.51.100.13' | Get-OmapiLease).IPAddress | ForEach-Object ToString |
            Should -Be '198.51.100.12', '198.51.100.13'
    }
}

Describe 'A host object' {
    BeforeAll {
        $script:fixed = $scenario::FixedAddressHost
        $script:confHost = Get-OmapiHost -Name $fixed.Name
    }

    It 'writes its MAC and fixed addresses as text in JSON, and no handle' {
        $object = $confHost | ConvertTo-Json | ConvertFrom-Json
        $object.PSObject.Properties.Name | Should -Be 'Name', 'MacAddress', 'HardwareType', 'ClientId', 'IPAddress', 'Server'
        $object.MacAddress | Should -Be $fixed.HardwareAddress
        $object.IPAddress | Should -Be @($fixed.FixedAddress.ToString())
        ($confHost | ConvertTo-Json) | Should -Match ('"IPAddress": \[\s*"' + [regex]::Escape($fixed.FixedAddress) + '"\s*\]')
    }

    It 'shows its fixed addresses as values that compare with text and pass on' {
        @($confHost.IPAddress -eq $fixed.FixedAddress.ToString()).Count | Should -Be 1
        $confHost.IPAddress[0] | Should -BeOfType ([Omapi.Core.Objects.IPv4Address])
        "$($confHost.IPAddress)" | Should -Be $fixed.FixedAddress.ToString()
        ([ipaddress[]]$confHost.IPAddress)[0] | Should -Be $fixed.FixedAddress
    }

    It 'sorts by its fixed addresses as values, hosts without one first' {
        $first = New-TestHost -IPAddress '203.0.113.95'
        $second = New-TestHost -IPAddress '203.0.113.100', '203.0.113.7'
        try {
            $hosts = @(Get-OmapiHost -Name $second.Name, $first.Name, $scenario::GroupHost.Name)
            ($hosts | Sort-Object IPAddress).Name | Should -Be $scenario::GroupHost.Name, $first.Name, $second.Name
            @($hosts | Where-Object IPAddress -EQ '203.0.113.7').Name | Should -Be $second.Name
            ($second | ConvertTo-Csv | ConvertFrom-Csv).IPAddress | Should -Be '203.0.113.100, 203.0.113.7'
            (($second | ConvertTo-Json | ConvertFrom-Json).IPAddress) | Should -Be '203.0.113.100', '203.0.113.7'
        }
        finally {
            $first, $second | Remove-OmapiHost -Confirm:$false
        }
    }
}

Describe 'Hosts exported and read back' {
    BeforeAll {
        $script:confHosts = @(Get-OmapiHost -Name @($scenario::ConfHosts.Name))
        $script:names = @($scenario::ConfHosts.Name)
    }

    It 'come back from Export-Csv and Import-Csv by name, fixed-address hosts and client-id hosts too' {
        $file = Join-Path $TestDrive 'hosts.csv'
        $confHosts | Export-Csv -LiteralPath $file
        $back = @(Import-Csv -LiteralPath $file | Get-OmapiHost -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $back.Name | Should -Be $names
    }

    It 'come back from ConvertTo-Json and ConvertFrom-Json' {
        $back = @($confHosts | ConvertTo-Json | ConvertFrom-Json | Get-OmapiHost -ErrorVariable failed)
        $failed | Should -BeNullOrEmpty
        $back.Name | Should -Be $names
    }

    It 'are found by the address of their lease from a CSV with an IPAddress column alone' {
        $file = Join-Path $TestDrive 'ip.csv'
        "IPAddress`n$($scenario::LeaseOfLeaseHost.IpAddress)" | Set-Content -LiteralPath $file
        (Import-Csv -LiteralPath $file | Get-OmapiHost -ErrorVariable failed).Name | Should -Be $scenario::LeaseHost.Name
        $failed | Should -BeNullOrEmpty
    }

    It 'are not deleted by Remove-OmapiHost -WhatIf from the CSV, which names each of them' {
        $file = Join-Path $TestDrive 'hosts-whatif.csv'
        $confHosts | Export-Csv -LiteralPath $file
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -LiteralPath $transcript | Out-Null
        try {
            Import-Csv -LiteralPath $file | Remove-OmapiHost -WhatIf -ErrorVariable failed
        }
        finally {
            Stop-Transcript | Out-Null
        }
        $failed | Should -BeNullOrEmpty
        $said = Get-Content -Raw -LiteralPath $transcript
        foreach ($name in $names) {
            $said | Should -Match ("What if: .*host '" + [regex]::Escape($name) + "'")
        }
        (Get-OmapiHost -Name $names).Name | Should -Be $names
    }

    It 'are deleted by Remove-OmapiHost from the CSV' {
        $created = @(New-TestHost; New-TestHost -IPAddress '203.0.113.61')
        $file = Join-Path $TestDrive 'created.csv'
        $created | Export-Csv -LiteralPath $file
        Import-Csv -LiteralPath $file | Remove-OmapiHost -Confirm:$false -ErrorVariable failed
        $failed | Should -BeNullOrEmpty
        foreach ($h in $created) {
            { Get-OmapiHost -Name $h.Name -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*'
        }
    }
}

Describe 'Invoke-OmapiRequest and the objects the module returns' {
    It 'refreshes a piped lease (-InputObject) and returns the raw object without a handle' {
        $lease = Get-OmapiLease -IPAddress 198.51.100.12
        $raw = $lease | Invoke-OmapiRequest -Operation Refresh
        $raw.Server | Should -Be $lease.Server
        $raw.Values['ip-address'] | Should -Be 'c6:33:64:0c'
        $raw.Values['client-hostname'] | Should -Be '"bravo"'
        $raw.Values['state'] | Should -Be '00:00:00:02'
        $raw.GetHandle() | Should -Be $lease.GetHandle()
        ($raw | ConvertTo-Json | ConvertFrom-Json).PSObject.Properties.Name | Should -Be 'Type', 'Values', 'Server'
    }

    It 'still takes a -Handle: the pool of a lease' {
        $lease = Get-OmapiLease -IPAddress 198.51.100.12
        $raw = Invoke-OmapiRequest -Operation Refresh -Handle $lease.GetPoolHandle()
        $pool = [Omapi.Core.Objects.OmapiPool]::FromObject($raw, $raw.Server)
        $pool.LeaseCount | Should -Be $scenario::RangeSize
    }

    It 'refuses an object from another server with ServerMismatch' {
        $other = Connect-TestServer -Name 'hmac-sha1'
        try {
            $lease = Get-OmapiLease -IPAddress 198.51.100.12 -Session $other
            $lease | Invoke-OmapiRequest -Operation Refresh -Session $session -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ServerMismatch,*'
        }
        finally {
            Disconnect-Omapi -Session $other
        }
    }
}

Describe 'Notifications' {
    BeforeAll {
        $script:address = '198.51.100.202'
        Register-OmapiNotify -IPAddress $address -IntervalSec 1 -SourceIdentifier 'objects-notify'
    }
    AfterAll {
        Unregister-OmapiNotify -SourceIdentifier 'objects-notify' -ErrorAction SilentlyContinue
        Remove-Event -SourceIdentifier 'objects-notify' -ErrorAction SilentlyContinue
        Reset-TestLease $address
    }

    It 'carry the changed values as the objects exchange them' {
        Set-OmapiLease -IPAddress $address -State Active -Ends (Get-Date).AddDays(1) -WarningAction SilentlyContinue
        $event = Wait-Event -SourceIdentifier 'objects-notify' -Timeout 15
        $event | Should -Not -BeNullOrEmpty
        $change = $event.SourceEventArgs
        $change.Kind | Should -Be ([Omapi.Core.Watch.OmapiChangeKind]::Appeared)
        $change.Timestamp | Should -BeOfType ([DateTimeOffset])
        $state = $change.Changes | Where-Object Name -EQ 'State'
        $state.OldValue | Should -Be 'Free'
        $state.NewValue | Should -Be 'Active'
        $json = $change | ConvertTo-Json -Depth 4
        $json | Should -Match '"Kind": "Appeared"'
        $json | Should -Match '"NewValue": "Active"'
        $json | Should -Not -Match '"Handle"'
    }
}

Describe 'Times in the local time zone' -Tag 'TimeZone' {
    BeforeAll {
        $script:address = '198.51.100.203'
    }
    AfterAll { Reset-TestLease $address }

    It 'runs in the zone it was asked for (UTC+9 in the second pass)' {
        if ($env:TZ) {
            [TimeZoneInfo]::Local.BaseUtcOffset | Should -Be ([TimeSpan]::FromHours(9))
            (Get-Date).ToString('zzz') | Should -Be '+09:00'
        }
    }

    It 'are instants with offset +00:00, as dhcpd reports them' {
        $known = $seeded | Where-Object ExpectedState -EQ 2 | Select-Object -First 1
        $lease = Get-OmapiLease -IPAddress $known.IpAddress
        $lease.Ends.Offset | Should -Be ([TimeSpan]::Zero)
        $lease.Ends.UtcDateTime | Should -Be $known.EndsUtc
        $lease.Ends -eq [DateTimeOffset]$known.EndsUtc | Should -BeTrue
    }

    It 'compare and subtract with Get-Date correctly in any zone' {
        $lease = Set-OmapiLease -IPAddress $address -State Active -Ends (Get-Date).AddMinutes(30) -PassThru -WarningAction SilentlyContinue
        $lease.Ends -lt (Get-Date).AddHours(1) | Should -BeTrue
        $lease.Ends -gt (Get-Date) | Should -BeTrue
        ($lease.Ends - (Get-Date)).TotalMinutes | Should -BeGreaterThan 27
        ($lease.Ends - (Get-Date)).TotalMinutes | Should -BeLessOrEqual 30
        @(Get-OmapiLease -IPAddress $address | Where-Object { $_.Ends -lt (Get-Date).AddHours(1) }).Count | Should -Be 1
    }

    It 'reads -Ends without a zone as local time, as Get-Date does' {
        $lease = Set-OmapiLease -IPAddress $address -State Active -Ends '2030-01-01 12:00' -PassThru -WarningAction SilentlyContinue
        $lease.Ends -eq (Get-Date '2030-01-01 12:00') | Should -BeTrue
        $lease.Ends.UtcDateTime | Should -Be ([datetime]::new(2030, 1, 1, 12, 0, 0, [DateTimeKind]::Local).ToUniversalTime())
        if ($env:TZ) {
            $lease.Ends.UtcDateTime.Hour | Should -Be 3
        }
    }

    It 'reads -Ends with a zone or as UTC exactly' {
        $lease = Set-OmapiLease -IPAddress $address -State Active -Ends '2030-06-01T10:00:00Z' -PassThru -WarningAction SilentlyContinue
        $lease.Ends.UtcDateTime | Should -Be ([datetime]::new(2030, 6, 1, 10, 0, 0, [DateTimeKind]::Utc))
        $lease = Set-OmapiLease -IPAddress $address -State Active -Ends ([datetime]::new(2030, 6, 2, 10, 0, 0, [DateTimeKind]::Utc)) -PassThru -WarningAction SilentlyContinue
        $lease.Ends.UtcDateTime | Should -Be ([datetime]::new(2030, 6, 2, 10, 0, 0, [DateTimeKind]::Utc))
    }

    It 'are written to JSON with their offset, +00:00, in any zone' {
        $known = $seeded | Where-Object ExpectedState -EQ 2 | Select-Object -First 1
        Get-OmapiLease -IPAddress $known.IpAddress | ConvertTo-Json |
            Should -Match ('"Ends": "' + $known.EndsUtc.ToString('yyyy-MM-ddTHH:mm:ss') + '\+00:00"')
    }
}
