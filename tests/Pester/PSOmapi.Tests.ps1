#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of PSOmapi against a real dhcpd, for people who have pwsh and Pester
    (CI here has neither and runs the same ground through the hosted engine in tests/PSOmapi.Tests).

    Point them at a TEST server (they create and delete hosts, groups and classes there):
      $env:PSOMAPI_TEST_SERVER   host name or IPv4 address of dhcpd     (required)
      $env:PSOMAPI_TEST_PORT     omapi-port                             (default 7911)
      $env:PSOMAPI_TEST_KEYNAME  the omapi-key's name                   (required)
      $env:PSOMAPI_TEST_SECRET   its base64 secret                      (required)
      $env:PSOMAPI_TEST_ALGORITHM                                       (default HMAC-MD5)
      $env:PSOMAPI_TEST_LEASE    an IPv4 address inside a range         (required)
      $env:PSOMAPI_TEST_MISSING  an IPv4 address outside every range    (required)
    Run:  ./build.ps1 -Task Build; Invoke-Pester ./tests/Pester
#>

BeforeDiscovery {
    $script:configured = [bool]($env:PSOMAPI_TEST_SERVER -and $env:PSOMAPI_TEST_KEYNAME -and $env:PSOMAPI_TEST_SECRET -and $env:PSOMAPI_TEST_LEASE -and $env:PSOMAPI_TEST_MISSING)
}

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $version = (Import-PowerShellDataFile (Join-Path $root 'PSOmapi.psd1')).ModuleVersion
    $script:manifest = Join-Path $root "output/PSOmapi/$version/PSOmapi.psd1"
    Import-Module $script:manifest -Force

    $script:port = if ($env:PSOMAPI_TEST_PORT) { [int]$env:PSOMAPI_TEST_PORT } else { 7911 }
    $script:algorithm = if ($env:PSOMAPI_TEST_ALGORITHM) { $env:PSOMAPI_TEST_ALGORITHM } else { 'HMAC-MD5' }
    if ($env:PSOMAPI_TEST_SECRET) {
        $secure = ConvertTo-SecureString $env:PSOMAPI_TEST_SECRET -AsPlainText -Force
        $script:credential = [pscredential]::new($env:PSOMAPI_TEST_KEYNAME, $secure)
    }
}

AfterAll {
    Remove-Module PSOmapi -ErrorAction SilentlyContinue
}

Describe 'The module' {
    It 'has a valid manifest for Desktop and Core, PowerShell 5.1' {
        $m = Test-ModuleManifest -Path $script:manifest
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        $m.CompatiblePSEditions | Should -Contain 'Desktop'
        $m.CompatiblePSEditions | Should -Contain 'Core'
    }

    It 'exports exactly the cmdlets it defines' {
        $exported = (Get-Module PSOmapi).ExportedCmdlets.Keys | Sort-Object
        $defined = [PSOmapi.ConnectOmapiCommand].Assembly.GetTypes() |
            Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" } |
            Sort-Object
        $exported | Should -Be $defined
    }

    It 'says to connect first when there is no session' {
        { Get-OmapiLease -IPAddress 198.51.100.10 -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,PSOmapi.GetOmapiLeaseCommand'
    }
}

Describe 'Against a dhcpd' -Skip:(-not $configured) {
    BeforeAll {
        $script:session = Connect-Omapi -Server $env:PSOMAPI_TEST_SERVER -Port $script:port -Credential $script:credential -Algorithm $script:algorithm
    }

    AfterAll {
        Disconnect-Omapi -All
    }

    Context 'Sessions' {
        It 'returns the session and makes it the default' {
            $script:session.Server | Should -Be $env:PSOMAPI_TEST_SERVER
            $script:session.KeyName | Should -Be $env:PSOMAPI_TEST_KEYNAME
            (Get-OmapiSession -Default).Id | Should -Be $script:session.Id
        }

        It 'reads the key from a key file' {
            $file = Join-Path ([System.IO.Path]::GetTempPath()) ("psomapi-" + [guid]::NewGuid() + '.key')
            Set-Content -Path $file -Value ("key `"{0}`" {{ algorithm {1}; secret `"{2}`"; }};" -f $env:PSOMAPI_TEST_KEYNAME, $script:algorithm.ToLowerInvariant(), $env:PSOMAPI_TEST_SECRET)
            try {
                $s = Connect-Omapi $env:PSOMAPI_TEST_SERVER -Port $script:port -KeyFile $file
                $s.IsConnected | Should -BeTrue
                Disconnect-Omapi -Session $s
            }
            finally {
                Remove-Item $file
                $script:session = Connect-Omapi -Server $env:PSOMAPI_TEST_SERVER -Port $script:port -Credential $script:credential -Algorithm $script:algorithm
            }
        }

        It 'fails with AuthenticationFailed for a wrong secret and never shows it' {
            $wrong = [Convert]::ToBase64String([byte[]](1..32))
            $bad = [pscredential]::new($env:PSOMAPI_TEST_KEYNAME, (ConvertTo-SecureString $wrong -AsPlainText -Force))
            $err = $null
            try { Connect-Omapi $env:PSOMAPI_TEST_SERVER -Port $script:port -Credential $bad -Algorithm $script:algorithm -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'AuthenticationFailed,PSOmapi.ConnectOmapiCommand'
            ($err | Out-String) | Should -Not -Match ([regex]::Escape($wrong))
        }
    }

    Context 'Leases' {
        It 'gets a lease by IP address' {
            $lease = Get-OmapiLease -IPAddress $env:PSOMAPI_TEST_LEASE
            $lease.IPAddress.ToString() | Should -Be $env:PSOMAPI_TEST_LEASE
            $lease.State | Should -BeOfType ([Omapi.Core.Objects.LeaseState])
            $lease.Server | Should -Be $env:PSOMAPI_TEST_SERVER
        }

        It 'takes addresses from the pipeline' {
            @($env:PSOMAPI_TEST_LEASE, $env:PSOMAPI_TEST_LEASE | Get-OmapiLease).Count | Should -Be 2
        }

        It 'reports LeaseNotFound for an address outside every range' {
            { Get-OmapiLease -IPAddress $env:PSOMAPI_TEST_MISSING -ErrorAction Stop } | Should -Throw -ErrorId 'LeaseNotFound,PSOmapi.GetOmapiLeaseCommand'
        }

        It 'keeps going after one missing address' {
            $found = Get-OmapiLease -IPAddress $env:PSOMAPI_TEST_MISSING, $env:PSOMAPI_TEST_LEASE -ErrorAction SilentlyContinue -ErrorVariable errs
            @($found).Count | Should -Be 1
            $errs[0].TargetObject.ToString() | Should -Be $env:PSOMAPI_TEST_MISSING
        }

        It 'rejects a malformed MAC with InvalidMacAddress' {
            { Get-OmapiLease -MacAddress '00:11:22' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidMacAddress,PSOmapi.GetOmapiLeaseCommand'
        }

        It 'marks a lease reserved and back' {
            $lease = Get-OmapiLease -IPAddress $env:PSOMAPI_TEST_LEASE
            $was = [bool]($lease.Flags -band [Omapi.Core.Objects.LeaseFlags]::Reserved)
            try {
                ($lease | Set-OmapiLease -Reserved (-not $was) -PassThru).Flags.HasFlag([Omapi.Core.Objects.LeaseFlags]::Reserved) | Should -Be (-not $was)
            }
            finally {
                $lease | Set-OmapiLease -Reserved $was
            }
        }
    }

    Context 'Hosts' {
        BeforeAll {
            $script:hostName = 'pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $script:mac = '02-00-5e-' + ((1..3 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) }) -join '-')
        }

        AfterAll {
            Get-OmapiHost -Name $script:hostName -ErrorAction SilentlyContinue | Remove-OmapiHost -Confirm:$false
        }

        It 'changes nothing under -WhatIf' {
            $before = (Get-OmapiSession -Default).RequestsSent
            New-OmapiHost -Name $script:hostName -MacAddress $script:mac -WhatIf
            (Get-OmapiSession -Default).RequestsSent | Should -Be $before
            { Get-OmapiHost -Name $script:hostName -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,PSOmapi.GetOmapiHostCommand'
        }

        It 'creates a host that is found by MAC in any notation' {
            $created = New-OmapiHost -Name $script:hostName -MacAddress $script:mac
            $created.MacAddress | Should -Be ($script:mac -replace '-', ':')
            (Get-OmapiHost -MacAddress ($script:mac -replace '-', '')).Name | Should -Be $script:hostName
        }

        It 'refuses a second host with the same name' {
            { New-OmapiHost -Name $script:hostName -MacAddress '02:00:5e:ff:ff:fe' -ErrorAction Stop } | Should -Throw -ErrorId 'HostAlreadyExists,PSOmapi.NewOmapiHostCommand'
        }

        It 'removes a host piped from Get-OmapiHost' {
            Get-OmapiHost -Name $script:hostName | Remove-OmapiHost -Confirm:$false
            { Get-OmapiHost -Name $script:hostName -ErrorAction Stop } | Should -Throw -ErrorId 'HostNotFound,PSOmapi.GetOmapiHostCommand'
        }
    }

    Context 'The escape hatch' {
        It 'opens any object type with typed values' {
            $o = Invoke-OmapiRequest -Operation Open -Type lease -Values @{ 'ip-address' = [ipaddress]$env:PSOMAPI_TEST_LEASE }
            $o.Handle | Should -BeGreaterThan 0
        }

        It 'reports dhcpd refusing NOTIFY' {
            $lease = Get-OmapiLease -IPAddress $env:PSOMAPI_TEST_LEASE
            { Invoke-OmapiRequest -Operation Notify -Handle $lease.Handle -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupported,PSOmapi.InvokeOmapiRequestCommand'
        }
    }
}
