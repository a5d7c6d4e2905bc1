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
