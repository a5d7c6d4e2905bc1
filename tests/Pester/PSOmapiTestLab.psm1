<#
    What the Pester suite shares: where the lab's dhcpd instances are (written by Invoke-PesterSuite.ps1 to the JSON
    file named by $env:PSOMAPI_TEST_LAB), their keys, and the scenario they were seeded with
    ([PSOmapi.Testing.DhcpdScenario], [PSOmapi.Testing.DocsWorld] from tests/TestLab).

    Every test file starts with:
        BeforeAll { Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1'); Import-Module PSOmapi }
    PSOmapi is imported by NAME: the suite runs against the package installed by Install-PSResource.
#>

Set-StrictMode -Version Latest

$script:lab = $null

function Get-TestLab {
    <# The lab description: instances (name, server, port, key, key file), directories, the TestLab assembly. #>
    [CmdletBinding()]
    param()
    if ($null -eq $script:lab) {
        if (-not $env:PSOMAPI_TEST_LAB -or -not (Test-Path -LiteralPath $env:PSOMAPI_TEST_LAB)) {
            throw 'No test lab: run the suite with tests/run-tests.sh (or ./build.ps1 -Task Pester inside its namespace); PSOMAPI_TEST_LAB names the lab''s description.'
        }
        $script:lab = Get-Content -Raw -LiteralPath $env:PSOMAPI_TEST_LAB | ConvertFrom-Json
        if (-not ('PSOmapi.Testing.DhcpdScenario' -as [type])) {
            Add-Type -Path $script:lab.Assembly
        }
    }
    $script:lab
}

function Get-TestServer {
    <# One dhcpd of the lab: main (HMAC-MD5, seeded leases and conf hosts), hmac-sha1 ... hmac-sha512, failover,
       crossing-md5, docs (the documentation's server). #>
    [CmdletBinding()]
    param([string] $Name = 'main')
    $instance = (Get-TestLab).Instances | Where-Object Name -EQ $Name
    if (-not $instance) {
        throw "The lab has no dhcpd named '$Name'."
    }
    $secure = ConvertTo-SecureString -String $instance.SecretBase64 -AsPlainText -Force
    [pscustomobject]@{
        Name       = $instance.Name
        Server     = $instance.Host
        Port       = [int] $instance.Port
        KeyName    = $instance.KeyName
        Algorithm  = $instance.Algorithm
        KeyFile    = $instance.KeyFile
        Credential = [pscredential]::new($instance.KeyName, $secure)
        LeasesFile = $instance.LeasesFile
        LogFile    = $instance.LogFile
    }
}

function Connect-TestServer {
    <# Connect-Omapi to a lab dhcpd with its key file; returns the session (which becomes the default one). #>
    [CmdletBinding()]
    param([string] $Name = 'main')
    $server = Get-TestServer -Name $Name
    Connect-Omapi -Server $server.Server -Port $server.Port -KeyFile $server.KeyFile
}

function Restart-TestServer {
    <# Stops a lab dhcpd and starts it again (same config, leases file and key). Only in the process that started
       the lab (not in the time-zone run). #>
    [CmdletBinding()]
    param([string] $Name = 'main')
    if ($null -eq $global:PSOmapiTestLab) {
        throw 'Restart-TestServer works only in the process that started the lab.'
    }
    $global:PSOmapiTestLab.Get($Name).RestartAsync().GetAwaiter().GetResult()
}

function Stop-TestServer {
    <# Stops a lab dhcpd (by pid). Start-TestServer starts it again. #>
    [CmdletBinding()]
    param([string] $Name = 'main')
    if ($null -eq $global:PSOmapiTestLab) {
        throw 'Stop-TestServer works only in the process that started the lab.'
    }
    $global:PSOmapiTestLab.Get($Name).StopAsync().GetAwaiter().GetResult()
}

function Start-TestServer {
    [CmdletBinding()]
    param([string] $Name = 'main')
    if ($null -eq $global:PSOmapiTestLab) {
        throw 'Start-TestServer works only in the process that started the lab.'
    }
    $global:PSOmapiTestLab.Get($Name).StartAsync().GetAwaiter().GetResult()
}

function Invoke-Pwsh {
    <# Runs a script in a NEW pwsh (the pinned dotnet tool) with the same module path and lab; returns its output
       lines. -Environment adds variables (TZ, COLUMNS ...) for that process only. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{}
    )
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, [string] $Environment[$name])
    }
    Push-Location (Get-TestLab).Repository
    try {
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
        $output = & dotnet pwsh -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }
    finally {
        Pop-Location
        foreach ($name in $saved.Keys) {
            [Environment]::SetEnvironmentVariable($name, $saved[$name])
        }
    }
}

Export-ModuleMember -Function Get-TestLab, Get-TestServer, Connect-TestServer, Restart-TestServer, Stop-TestServer, Start-TestServer, Invoke-Pwsh
