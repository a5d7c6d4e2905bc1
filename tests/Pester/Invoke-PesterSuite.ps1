<#
.SYNOPSIS
    Runs the Pester suite (tests/Pester/*.Tests.ps1) against the PSOmapi PACKAGE and real dhcpd.

.DESCRIPTION
    build.ps1 -Task Pester starts it in a new pwsh whose XDG_DATA_HOME is a new, empty temporary folder, inside the
    private network namespace tests/run-tests.sh makes. It:
      1. imports the pinned Pester (restored from NuGet by tests/Pester/PesterPackage.csproj);
      2. installs the package as the README says (Register-PSResourceRepository on output/packages,
         Install-PSResource PSOmapi) and checks that the only PSOmapi on the module path is that copy: the test files
         Import-Module PSOmapi by name, so what they test is what ships;
      3. starts the lab's dhcpd instances (tests/TestLab, the same instances the xunit fixtures use, plus the
         documentation's server) and describes them in a JSON file named by $env:PSOMAPI_TEST_LAB;
      4. runs every test file, then the files' TimeZone-tagged tests again in a new pwsh under TZ=$TimeZone;
      5. stops every dhcpd, writes NUnit XML results (pester.xml, pester-timezone.xml) to -ResultsDirectory and
         exits 1 when anything failed, a file or block could not run, or no test ran.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PackageDirectory,
    [Parameter(Mandatory)] [string] $ModuleVersion,
    [Parameter(Mandatory)] [string] $ResultsDirectory,
    # A zone far from UTC (+9 h, no daylight saving time): times must be right in every zone.
    [string] $TimeZone = 'Asia/Tokyo',
    # Run only these files (default: every tests/Pester/*.Tests.ps1).
    [string[]] $Path,
    # Internal: run only the TimeZone-tagged tests against an existing lab (the second pass).
    [switch] $TimeZonePass
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# -File passes one string: the time zone pass gets the files comma-separated.
$Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
# While working on one file: PSOMAPI_PESTER_PATH=tests/Pester/X.Tests.ps1 (comma-separated) runs only those files.
if (-not $Path -and $env:PSOMAPI_PESTER_PATH) {
    $Path = @($env:PSOMAPI_PESTER_PATH -split ',' | Where-Object { $_ } | ForEach-Object { (Resolve-Path -LiteralPath (Join-Path $repository $_)).Path })
}
if (-not $Path) {
    $Path = @(Get-ChildItem -Path $PSScriptRoot -Filter '*.Tests.ps1' | Sort-Object Name | ForEach-Object FullName)
}

# 1. Pester, the version tests/Pester/PesterPackage.csproj pins, from the NuGet package folder.
[xml] $pesterProject = Get-Content -Raw (Join-Path $PSScriptRoot 'PesterPackage.csproj')
$pesterVersion = $pesterProject.Project.PropertyGroup.PesterVersion
$nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
$pesterManifest = Join-Path $nugetRoot "pester/$pesterVersion/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    throw "Pester $pesterVersion is not restored at ${pesterManifest}: run dotnet restore PSOmapi.slnx."
}
Import-Module $pesterManifest -Force

function Invoke-Suite([string[]] $Files, [string] $Output, [string[]] $Tag) {
    $config = New-PesterConfiguration
    $config.Run.Path = $Files
    $config.Run.PassThru = $true
    $config.Run.Exit = $false
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = $Output
    if ($Tag) {
        $config.Filter.Tag = $Tag
    }
    Invoke-Pester -Configuration $config
}

function Test-Result($Result) {
    $problems = @()
    if ($Result.FailedCount -gt 0) { $problems += "$($Result.FailedCount) test(s) failed" }
    if ($Result.FailedBlocksCount -gt 0) { $problems += "$($Result.FailedBlocksCount) block(s) failed in BeforeAll/AfterAll" }
    if ($Result.FailedContainersCount -gt 0) { $problems += "$($Result.FailedContainersCount) file(s) could not run" }
    if ($Result.PassedCount -eq 0) { $problems += 'no test passed' }
    $problems
}

if ($TimeZonePass) {
    # The second pass, in its own process: the zone is read once, at start.
    $offset = [TimeZoneInfo]::Local.BaseUtcOffset
    Write-Host "Pester: the TimeZone-tagged tests under $([TimeZoneInfo]::Local.Id) (UTC$(if ($offset -ge [TimeSpan]::Zero) { '+' })$offset)"
    $result = Invoke-Suite -Files $Path -Output (Join-Path $ResultsDirectory 'pester-timezone.xml') -Tag 'TimeZone'
    $problems = @(Test-Result $result)
    if ($problems) {
        Write-Host ("Pester (time zone pass): " + ($problems -join '; '))
        exit 1
    }
    exit 0
}

# 2. The package, installed as the README's install section says, into this process's (empty) user module path.
if (-not $env:XDG_DATA_HOME -or -not (Test-Path -LiteralPath $env:XDG_DATA_HOME)) {
    throw 'XDG_DATA_HOME must name a new, empty folder (build.ps1 -Task Pester makes one): the package is installed there.'
}
# pwsh puts $XDG_DATA_HOME/powershell/Modules on the module path, and PSResourceGet keeps its repository list under
# $XDG_DATA_HOME; but PSResourceGet 1.2 installs CurrentUser modules under $HOME/.local/share/powershell/Modules. So
# build.ps1 makes XDG_DATA_HOME <scratch>/.local/share, and HOME is <scratch> for the install alone (the rest of the
# run keeps the real HOME, where NuGet's packages are).
$fakeHome = Split-Path (Split-Path $env:XDG_DATA_HOME)
Register-PSResourceRepository -Name PSOmapiLocal -Uri $PackageDirectory -Trusted
$realHome = $env:HOME
try {
    $env:HOME = $fakeHome
    Install-PSResource -Name PSOmapi -Version $ModuleVersion -Repository PSOmapiLocal -Scope CurrentUser -TrustRepository -Quiet
}
finally {
    $env:HOME = $realHome
}
$available = @(Get-Module -ListAvailable -Name PSOmapi)
$installedUnder = Join-Path $env:XDG_DATA_HOME 'powershell/Modules'
if ($available.Count -ne 1 -or -not $available[0].ModuleBase.StartsWith($installedUnder)) {
    throw "Expected exactly one PSOmapi on the module path, under $installedUnder; found: $(($available | ForEach-Object ModuleBase) -join ', ')"
}
$env:PSOMAPI_TEST_INSTALLED_BASE = $available[0].ModuleBase
Write-Host "Pester $pesterVersion against PSOmapi $ModuleVersion installed by Install-PSResource at $($available[0].ModuleBase)"

# 3. The lab: every dhcpd the xunit fixtures use, and the documentation's server on port 7911.
$labAssembly = Join-Path $repository 'tests/TestLab/bin/Release/net10.0/PSOmapi.TestLab.dll'
Add-Type -Path $labAssembly
$options = [PSOmapi.Testing.DhcpdLabOptions]::new()
$options.FirstOmapiPort = [PSOmapi.Testing.DocsWorld]::OmapiPort + 1
$options.DocsWorld = $true
$refusal = [PSOmapi.Testing.DhcpdLab]::Refusal($options)
if ($refusal) {
    throw "The Pester suite runs real dhcpd: $refusal"
}
$lab = [PSOmapi.Testing.DhcpdLab]::Start($options)
$global:PSOmapiTestLab = $lab
$exitCode = 1
try {
    $keys = Join-Path $lab.Directory 'keys'
    New-Item -ItemType Directory -Path $keys | Out-Null
    $instances = foreach ($i in $lab.All) {
        # A key file per instance, in dhcpd.conf syntax, as tsig-keygen writes one.
        $keyFile = Join-Path $keys "$($i.Name).key"
        Set-Content -LiteralPath $keyFile -Value "key `"$($i.KeyName)`" {`n`talgorithm $($i.Algorithm.ToLowerInvariant());`n`tsecret `"$($i.SecretBase64)`";`n};"
        [ordered]@{
            Name = $i.Name; Host = $i.Host; Port = $i.Port; KeyName = $i.KeyName; Algorithm = $i.Algorithm
            SecretBase64 = $i.SecretBase64; KeyFile = $keyFile; LeasesFile = $i.LeasesFilePath; LogFile = $i.LogFilePath
        }
    }
    # The documentation's world: in this namespace's private mount table (tests/run-tests.sh bind-mounts files of its
    # own over /etc/hosts and /etc/dhcp, with a marker), the examples' names and key file lead to the docs server.
    # Without the markers nothing is written: never the machine's own /etc.
    if ((Get-Content -LiteralPath /etc/hosts -ErrorAction SilentlyContinue) -contains '# psomapi-test-lab: this namespace only') {
        Add-Content -LiteralPath /etc/hosts -Value ([PSOmapi.Testing.DocsWorld]::HostsFileLines)
    }
    if (Test-Path -LiteralPath /etc/dhcp/.psomapi-test-lab) {
        Copy-Item -LiteralPath (Join-Path $keys 'docs.key') -Destination ([PSOmapi.Testing.DocsWorld]::KeyFilePath)
    }

    $description = Join-Path $lab.Directory 'lab.json'
    [ordered]@{
        Repository = $repository; Assembly = $labAssembly; Directory = $lab.Directory; Instances = @($instances)
    } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $description
    $env:PSOMAPI_TEST_LAB = $description

    # 4. Every file, in this process; then the TimeZone-tagged tests in a new pwsh under a zone far from UTC.
    New-Item -ItemType Directory -Force -Path $ResultsDirectory | Out-Null
    $result = Invoke-Suite -Files $Path -Output (Join-Path $ResultsDirectory 'pester.xml')
    $problems = @(Test-Result $result)

    # A run of chosen files (PSOMAPI_PESTER_PATH) without TimeZone-tagged tests has no second pass; the whole suite
    # always has one (Module.Tests.ps1 holds a TimeZone test).
    $zoned = @(Select-String -LiteralPath $Path -Pattern "-Tag\s+'TimeZone'" -List).Count -gt 0
    if (-not $zoned) {
        Write-Host 'Pester: no TimeZone-tagged test in the chosen files; no time zone pass'
    }
    else {
        $savedTz = $env:TZ
        Push-Location $repository
        try {
            $env:TZ = $TimeZone
            & dotnet pwsh -NoProfile -NonInteractive -File $PSCommandPath -PackageDirectory $PackageDirectory -ModuleVersion $ModuleVersion -ResultsDirectory $ResultsDirectory -Path ($Path -join ',') -TimeZonePass
            if ($LASTEXITCODE -ne 0) {
                $problems += "the time zone pass ($TimeZone) failed (exit code $LASTEXITCODE)"
            }
        }
        finally {
            $env:TZ = $savedTz
            Pop-Location
        }
    }

    foreach ($instance in $lab.All) {
        if (-not $instance.IsRunning) {
            $problems += "dhcpd $($instance.Name) is no longer running at the end of the suite; log tail:`n$($instance.ReadLogTail(15))"
        }
    }

    if ($problems) {
        Write-Host ("Pester: " + ($problems -join '; '))
    }
    else {
        $exitCode = 0
    }
}
finally {
    # 5. Every dhcpd stopped by its pid, the veth and the lab's directory (with this run's keys) removed.
    $lab.Dispose()
    $global:PSOmapiTestLab = $null
}
exit $exitCode
