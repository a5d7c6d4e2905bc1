# Unattended scripts as cron or Task Scheduler runs them (pwsh -NoProfile -File script.ps1): the exit code and the
# message say what went wrong, nothing hangs, secrets stay out of the output, and a session survives dhcpd
# restarting.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi
    $script:main = Get-TestServer -Name main
    $script:scratch = Join-Path ([IO.Path]::GetTempPath()) ("psomapi-scripts-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:scratch | Out-Null

    # The pattern the help recommends: $ErrorActionPreference = 'Stop', a try/catch around Connect-Omapi that reports
    # the ErrorId and exits 2, and the work in try/finally.
    $script:report = Join-Path $script:scratch 'report.ps1'
    Set-Content -LiteralPath $script:report -Value @'
param([string] $Server, [int] $Port, [string] $KeyFile, [string[]] $Address, [int] $TimeoutSec = 10)
$ErrorActionPreference = 'Stop'
Import-Module PSOmapi
try {
    $session = Connect-Omapi -Server $Server -Port $Port -KeyFile $KeyFile -TimeoutSec $TimeoutSec
}
catch {
    [Console]::Error.WriteLine("dhcp: $($_.FullyQualifiedErrorId): $($_.Exception.Message)")
    exit 2
}
try {
    foreach ($a in $Address) {
        $lease = Get-OmapiLease -IPAddress $a -Session $session
        "$($lease.IPAddress) $($lease.State)"
    }
}
catch {
    [Console]::Error.WriteLine("lookup: $($_.FullyQualifiedErrorId)")
    exit 3
}
finally {
    Disconnect-Omapi -Session $session
}
'@

    function Invoke-Script([string[]] $Arguments) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Push-Location (Get-TestLab).Repository
        try {
            $out = & dotnet pwsh -NoProfile -NonInteractive -File $script:report @Arguments 2>&1
        }
        finally {
            Pop-Location
        }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }); Seconds = $watch.Elapsed.TotalSeconds }
    }
}

AfterAll {
    Remove-Item -LiteralPath $script:scratch -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A scheduled script' {
    It 'reports leases and exits 0' {
        $active = [PSOmapi.Testing.DhcpdScenario]::ActiveLeases[0].IpAddress.ToString()
        $r = Invoke-Script @('-Server', $script:main.Server, '-Port', $script:main.Port, '-KeyFile', $script:main.KeyFile, '-Address', $active)
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Contain "$active Active"
    }

    It 'exits 2 with AuthenticationFailed for a wrong key, without showing the secret' {
        $wrong = [Convert]::ToBase64String([byte[]](1..32))
        $keyFile = Join-Path $script:scratch 'wrong.key'
        Set-Content -LiteralPath $keyFile -Value "key `"$($script:main.KeyName)`" { algorithm hmac-md5; secret `"$wrong`"; };"
        $r = Invoke-Script @('-Server', $script:main.Server, '-Port', $script:main.Port, '-KeyFile', $keyFile, '-Address', '198.51.100.10')
        $r.ExitCode | Should -Be 2
        ($r.Output -join "`n") | Should -Match 'AuthenticationFailed,PSOmapi.ConnectOmapiCommand'
        ($r.Output -join "`n") | Should -Not -Match ([regex]::Escape($wrong))
    }

    It 'exits 2 with ConnectionFailed within its timeout when nothing listens' {
        # A port inside the namespace where nothing listens: refused at once.
        $r = Invoke-Script @('-Server', '127.0.0.1', '-Port', '7999', '-KeyFile', $script:main.KeyFile, '-Address', '198.51.100.10', '-TimeoutSec', '3')
        $r.ExitCode | Should -Be 2
        ($r.Output -join "`n") | Should -Match 'ConnectionFailed,PSOmapi.ConnectOmapiCommand'
        $r.Seconds | Should -BeLessThan 30 -Because 'a refused connection must not wait out retries for long'
    }

    It 'exits 3 with the ErrorId when a lookup fails' {
        $outside = [PSOmapi.Testing.DhcpdScenario]::AddressOutsideRange.ToString()
        $r = Invoke-Script @('-Server', $script:main.Server, '-Port', $script:main.Port, '-KeyFile', $script:main.KeyFile, '-Address', $outside)
        $r.ExitCode | Should -Be 3
        ($r.Output -join "`n") | Should -Match 'lookup: LeaseNotFound,PSOmapi.GetOmapiLeaseCommand'
    }
}

Describe 'A long-running session' {
    It 'keeps working after dhcpd restarts: the next command reconnects by itself' {
        $session = Connect-TestServer -Name main
        try {
            $address = [PSOmapi.Testing.DhcpdScenario]::ActiveLeases[0].IpAddress.ToString()
            (Get-OmapiLease -IPAddress $address -Session $session).State | Should -Be 'Active'
            Restart-TestServer -Name main
            (Get-OmapiLease -IPAddress $address -Session $session -ErrorAction Stop).State | Should -Be 'Active'
        }
        finally {
            Disconnect-Omapi -Session $session
        }
    }
}
