#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, documents, packages and tests the PSOmapi module.

.DESCRIPTION
    The entry point for PowerShell users (Windows PowerShell 5.1 and PowerShell 7). Tasks run in the order given:
      Build    dotnet build (Release): assembles output/PSOmapi/<version>/ (manifest, DLLs, format file, en-US help).
      Docs     compiles docs/help/*.md (PlatyPS markdown) to en-US/PSOmapi.dll-Help.xml: with PlatyPS when it is
               installed, otherwise with tools/HelpCompiler; then checks the result is in step with the markdown.
               With CI=true it only checks: CI fails when the committed help is out of step.
      Package  builds first (so the package always holds the current sources), then writes
               output/packages/PSOmapi.<version>.nupkg, which Install-PSResource installs from a local repository.
      Pester   the Pester suite (tests/Pester) against the PACKAGE, as a user gets it: in a new pwsh process whose
               user module path is a new, empty temporary folder, it registers output/packages as a repository,
               runs Install-PSResource PSOmapi, and the tests Import-Module PSOmapi by name. Runs real dhcpd, so on
               Linux it must run inside the private network namespace tests/run-tests.sh makes.
      Test     everything: on Linux, bash tests/run-tests.sh (which runs Build, Docs and Package, the xunit tests
               and then the Pester task inside private network namespaces, and prints the totals); elsewhere, the
               xunit tests (their dhcpd tests skip: dhcpd runs only in a Linux namespace).
    The version has one source: ModuleVersion in PSOmapi.psd1.

.PARAMETER ResultsDirectory
    Where the Pester task writes its NUnit XML results (default: output/TestResults).

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build, Docs, Package
    After editing docs/help or the sources: compile the help, build, and package what was built.

.EXAMPLE
    bash tests/run-tests.sh
    Every test, as CI runs it (this is what -Task Test does on Linux).
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Docs', 'Package', 'Pester', 'Test')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $ResultsDirectory
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$manifest = Import-PowerShellDataFile -Path (Join-Path $root 'PSOmapi.psd1')
$version = $manifest.ModuleVersion
$moduleDir = Join-Path $root "output/PSOmapi/$version"
$packages = Join-Path $root 'output/packages'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-BuildTask {
    Invoke-Native dotnet @('build', (Join-Path $root 'PSOmapi.slnx'), '-c', $Configuration, '-nologo')
    if (-not (Test-Path (Join-Path $moduleDir 'PSOmapi.psd1'))) {
        throw "The build did not assemble $moduleDir."
    }
    Write-Host "Module assembled in $moduleDir"
}

function Invoke-DocsTask {
    # docs/help/<Cmdlet>.md (PlatyPS markdown, schema 2.0.0) is the source of en-US/PSOmapi.dll-Help.xml; the about_
    # topics are written directly as en-US/about_*.help.txt. HelpTests (tests/PSOmapi.Tests) fail when the two drift.
    $markdown = Join-Path $root 'docs/help'
    $maml = Join-Path $root 'en-US/PSOmapi.dll-Help.xml'
    $compiler = Join-Path $root 'tools/HelpCompiler/HelpCompiler.csproj'
    $platyPS = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($env:CI -eq 'true') {
        # CI checks what is committed; it never rewrites it.
        Write-Host 'CI: checking the committed en-US/PSOmapi.dll-Help.xml against docs/help (not recompiling).'
    }
    elseif ($platyPS) {
        Import-Module $platyPS
        $files = Get-ChildItem -Path $markdown -Filter '*.md' | Where-Object { $_.Name -notlike 'about_*' }
        New-ExternalHelp -Path $files.FullName -OutputPath (Join-Path $root 'en-US') -Force | Out-Null
        Write-Host "Compiled $maml from docs/help with PlatyPS $($platyPS.Version)."
    }
    else {
        # PlatyPS is not served by this project's package sources: tools/HelpCompiler writes the same MAML.
        Invoke-Native dotnet @('run', '--project', $compiler, '-c', $Configuration, '--', 'build', $markdown, $maml)
        Write-Host 'PlatyPS is not installed: compiled with tools/HelpCompiler (Install-Module platyPS to use it instead).'
    }

    # Whichever compiled it, the file must be in step with the markdown (compared as Get-Help reads it).
    Invoke-Native dotnet @('run', '--project', $compiler, '-c', $Configuration, '--', 'check', $markdown, $maml)
}

function Invoke-PackageTask {
    # Always build first: dotnet build is incremental, and a package must never hold what an older build left in
    # output/.
    Invoke-BuildTask
    New-Item -ItemType Directory -Force -Path $packages | Out-Null
    $nupkg = Join-Path $packages "PSOmapi.$version.nupkg"
    Remove-Item -LiteralPath $nupkg -ErrorAction SilentlyContinue

    # A repository registered for this publish only, and removed again.
    $repoName = 'PSOmapiBuild'
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        Register-PSResourceRepository -Name $repoName -Uri $packages -Trusted -Force
        try {
            Publish-PSResource -Path $moduleDir -Repository $repoName
        }
        finally {
            Unregister-PSResourceRepository -Name $repoName
        }
    }
    else {
        # Windows PowerShell 5.1 with PowerShellGet 2 only.
        Register-PSRepository -Name $repoName -SourceLocation $packages -PublishLocation $packages -InstallationPolicy Trusted
        try {
            Publish-Module -Path $moduleDir -Repository $repoName
        }
        finally {
            Unregister-PSRepository -Name $repoName
        }
    }

    if (-not (Test-Path -LiteralPath $nupkg)) {
        throw "Publishing did not write $nupkg."
    }
    Write-Host "Package written: $nupkg"
}

function Invoke-PesterTask {
    $nupkg = Join-Path $packages "PSOmapi.$version.nupkg"
    if (-not (Test-Path -LiteralPath $nupkg)) {
        throw "No package at ${nupkg}: run ./build.ps1 -Task Package first (the Pester suite tests the package)."
    }
    if (-not $ResultsDirectory) {
        $script:ResultsDirectory = Join-Path $root 'output/TestResults'
    }
    New-Item -ItemType Directory -Force -Path $ResultsDirectory | Out-Null

    # A new pwsh whose user data folder (and with it the CurrentUser module path and PSResourceGet's repository
    # store) is a new, empty temporary folder: the suite installs the package there and imports it by name.
    $scratch = Join-Path ([IO.Path]::GetTempPath()) ("psomapi-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $scratch | Out-Null
    $saved = $env:XDG_DATA_HOME
    try {
        # The XDG layout under a fake home: the suite installs with HOME=$scratch (see Invoke-PesterSuite.ps1).
        $env:XDG_DATA_HOME = Join-Path $scratch '.local/share'
        New-Item -ItemType Directory -Path $env:XDG_DATA_HOME | Out-Null
        $suite = Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1'
        & dotnet pwsh -NoProfile -NonInteractive -File $suite -PackageDirectory $packages -ModuleVersion $version -ResultsDirectory $ResultsDirectory
        if ($LASTEXITCODE -ne 0) {
            throw "The Pester suite failed (exit code $LASTEXITCODE); results in $ResultsDirectory."
        }
    }
    finally {
        $env:XDG_DATA_HOME = $saved
        Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-TestTask {
    $onLinux = $PSVersionTable.PSEdition -eq 'Core' -and $IsLinux
    if ($onLinux) {
        Invoke-Native bash @((Join-Path $root 'tests/run-tests.sh'))
    }
    else {
        Write-Warning 'The dhcpd tests and the Pester suite run only on Linux (dhcpd in a private network namespace): running the xunit tests alone.'
        Invoke-Native dotnet @('test', (Join-Path $root 'PSOmapi.slnx'), '-c', $Configuration)
    }
}

foreach ($t in $Task) {
    Write-Host "== $t =="
    switch ($t) {
        'Build' { Invoke-BuildTask }
        'Docs' { Invoke-DocsTask }
        'Package' { Invoke-PackageTask }
        'Pester' { Invoke-PesterTask }
        'Test' { Invoke-TestTask }
    }
}
