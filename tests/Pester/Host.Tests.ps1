# Get-OmapiHost, New-OmapiHost, Set-OmapiHost, Remove-OmapiHost against the lab's main dhcpd (its seeded leases and
# dhcpd.conf hosts: tests/TestLab/DhcpdScenario.cs). Hosts a test creates have unique names and MACs and are removed.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi

    function New-TestName([string] $Prefix) {
        "$Prefix-" + [guid]::NewGuid().ToString('N').Substring(0, 10)
    }

    function New-TestMac {
        # Locally administered (02:...), random: never one of the scenario's MACs.
        $bytes = [byte[]]::new(4)
        [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        '02:00:' + (($bytes | ForEach-Object { $_.ToString('x2') }) -join ':')
    }
}

Describe 'Get-OmapiHost -IPAddress says what dhcpd searched' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
    }
    AfterAll {
        Disconnect-Omapi -All
    }

    It 'a fixed address outside every range (fixedhost''s 198.51.100.5): no lease, and how to find the reservation' {
        $record = { Get-OmapiHost -IPAddress 198.51.100.5 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,PSOmapi.GetOmapiHostCommand' -PassThru
        $record.TargetObject | Should -Be ([ipaddress] '198.51.100.5')
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $message = $record.ErrorDetails.Message
        $message | Should -BeLike 'No host found for 198.51.100.5. dhcpd looks a host up by IP address through the lease:*'
        $message | Should -BeLike '*198.51.100.5 has no lease (it is outside every range of dhcpd.conf)*'
        $message | Should -BeLike "*fixed address is not a lookup key*'fixed-address 198.51.100.5'*Get-OmapiHost -Name or -MacAddress*"
        $record.ErrorDetails.RecommendedAction | Should -BeLike "*'fixed-address 198.51.100.5'*"
        $record.Exception.Message | Should -BeLike '*ISC_R_NOTFOUND*'
        # What the message says to do finds it.
        (Get-OmapiHost -Name fixedhost).IPAddress | ForEach-Object { "$_" } | Should -Be '198.51.100.5'
    }

    It 'a reservation created over OMAPI is found as the message says: in the leases file, then by name' {
        $name = New-TestName 'pester-fixed'
        $null = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.252 -WarningAction SilentlyContinue
        try {
            $record = { Get-OmapiHost -IPAddress 198.51.100.252 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*' -PassThru
            $record.ErrorDetails.Message | Should -BeLike "*198.51.100.252 has no lease*dhcpd's leases file*'fixed-address 198.51.100.252'*"
            $block = Select-String -LiteralPath (Get-TestServer -Name main).LeasesFile -Pattern 'fixed-address 198\.51\.100\.252;' -Context 4, 0 |
                Select-Object -Last 1
            ($block.Context.PreContext -join "`n") | Should -Match "host $name \{"
            (Get-OmapiHost -Name $name).IPAddress | ForEach-Object { "$_" } | Should -Be '198.51.100.252'
        }
        finally {
            Remove-OmapiHost -Name $name -Confirm:$false
        }
    }

    It 'an address whose lease carries a MAC no host has (198.51.100.12)' {
        $record = { Get-OmapiHost -IPAddress 198.51.100.12 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*' -PassThru
        $record.ErrorDetails.Message | Should -BeLike "*the lease of 198.51.100.12 (Active, MAC 00:11:22:33:44:56, client hostname 'bravo') carries MAC 00:11:22:33:44:56, and no host has that MAC address.*"
    }

    It 'an address whose lease carries no MAC (198.51.100.100, never leased)' {
        $record = { Get-OmapiHost -IPAddress 198.51.100.100 -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*' -PassThru
        $record.ErrorDetails.Message | Should -BeLike '*the lease of 198.51.100.100 (Free, no MAC address) carries no MAC address to look a host up by.*'
    }

    It 'still finds the host whose MAC holds the lease (198.51.100.14: leasehost)' {
        (Get-OmapiHost -IPAddress 198.51.100.14).Name | Should -Be 'leasehost'
    }
}

Describe 'New-OmapiHost warns when dhcpd says the address is taken' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
        $created = [System.Collections.Generic.List[string]]::new()
    }
    AfterAll {
        foreach ($name in $created) {
            Remove-OmapiHost -Name $name -Confirm:$false -ErrorAction SilentlyContinue
        }
        Disconnect-Omapi -All
    }

    It 'an address leased to another MAC: says which MAC, and still creates the host' {
        $name = New-TestName 'pester-leased'
        $created.Add($name)
        $host1 = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.12 -WarningVariable warnings -WarningAction SilentlyContinue
        $host1.Name | Should -Be $name
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "198.51.100.12 is leased to MAC 00:11:22:33:44:56, client hostname 'bravo', until the lease ends: host '$name' gets it as a fixed address as well*"
    }

    It 'an address leased to the MAC of a host: names the host' {
        $name = New-TestName 'pester-leasehost'
        $created.Add($name)
        $null = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.14 -WarningVariable warnings -WarningAction SilentlyContinue
        "$($warnings[0])" | Should -BeLike "198.51.100.14 is leased to MAC 00:11:22:33:44:58 (host 'leasehost'), until the lease ends*"
    }

    It 'an address another host reserves (and holds the lease of): names that host and its MAC' {
        # The seeded lease 198.51.100.13 is Active for 00:11:22:33:44:57; a host for that client reserves the address.
        $owner = New-TestName 'pester-owner'
        $created.Add($owner)
        $null = New-OmapiHost -Name $owner -MacAddress 00:11:22:33:44:57 -IPAddress 198.51.100.13 -WarningVariable ownerWarnings -WarningAction SilentlyContinue
        $ownerWarnings | Should -BeNullOrEmpty -Because 'the lease belongs to the new host''s own MAC'

        $name = New-TestName 'pester-second'
        $created.Add($name)
        $null = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.13 -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "198.51.100.13 is already reserved by host '$owner' (MAC 00:11:22:33:44:57) and leased to it now: host '$name' gets it as well*"
        (Get-OmapiHost -Name $name).IPAddress | ForEach-Object { "$_" } | Should -Be '198.51.100.13'
    }

    It 'under <Case> sends nothing at all, so checks nothing, and creates nothing' -ForEach @(
        @{ Case = '-WhatIf'; Script = { param($n, $m) New-OmapiHost -Name $n -MacAddress $m -IPAddress 198.51.100.12 -WhatIf -WarningVariable w -WarningAction SilentlyContinue; $w } }
        @{ Case = '$WhatIfPreference'; Script = { param($n, $m) $WhatIfPreference = $true; New-OmapiHost -Name $n -MacAddress $m -IPAddress 198.51.100.12 -WarningVariable w -WarningAction SilentlyContinue; $w } }
    ) {
        $session = Get-OmapiSession -Default
        $name = New-TestName 'pester-whatif'
        $before = $session.RequestsSent
        & $Script $name (New-TestMac) | Should -BeNullOrEmpty
        $session.RequestsSent | Should -Be $before
        { Get-OmapiHost -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*'
    }

    It 'no warning for a free address, nor for an address outside every range (which dhcpd cannot check: Verbose says so)' {
        $name = New-TestName 'pester-free'
        $created.Add($name)
        $null = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.101, 198.51.100.253 -WarningVariable warnings -WarningAction SilentlyContinue -Verbose 4>&1 |
            Tee-Object -Variable output
        $warnings | Should -BeNullOrEmpty
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain '198.51.100.253 has no lease (it is outside every range of dhcpd.conf): dhcpd cannot tell over OMAPI whether another host has it as a fixed address.'
    }

    It 'asks dhcpd at most two more questions per address' {
        $session = Get-OmapiSession -Default
        $name = New-TestName 'pester-count'
        $created.Add($name)
        $before = $session.RequestsSent
        $null = New-OmapiHost -Name $name -MacAddress (New-TestMac) -IPAddress 198.51.100.12 -WarningAction SilentlyContinue
        # The lease, the host for the address, the create.
        $session.RequestsSent - $before | Should -BeLessOrEqual 3
    }
}

Describe 'Remove-OmapiHost -MacAddress' {
    BeforeAll {
        Disconnect-Omapi -All
        $null = Connect-TestServer -Name main
    }
    AfterAll {
        Disconnect-Omapi -All
    }

    It 'a MAC address no host has reads "host with MAC address", not like a host name' {
        $record = { Remove-OmapiHost -MacAddress 02:00:00:aa:bb:07 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,PSOmapi.RemoveOmapiHostCommand' -PassThru
        $record.Exception.Message | Should -BeLike 'open host with MAC address 02:00:00:aa:bb:07: not found*'
        $record.TargetObject | Should -Be '02:00:00:aa:bb:07'
    }

    It 'removes the host with that MAC address' {
        $name = New-TestName 'pester-bymac'
        $mac = New-TestMac
        $null = New-OmapiHost -Name $name -MacAddress $mac
        Remove-OmapiHost -MacAddress $mac -Confirm:$false
        { Get-OmapiHost -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,*'
    }
}
