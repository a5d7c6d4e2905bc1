#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents and packages the PSOmapi module.

.DESCRIPTION
    The single entry point for PowerShell users (Windows PowerShell 5.1 and PowerShell 7).
      Build    dotnet build (Release): assembles output/PSOmapi/<version>/ (manifest, DLLs, format file, en-US help).
      Test     the .NET test projects (tests/run-tests.sh on Linux, which runs real dhcpd in a private network
               namespace; plain dotnet test elsewhere, where the dhcpd tests are skipped), then Pester when installed.
      Docs     compiles docs/help/*.md (PlatyPS markdown) to en-US/PSOmapi.dll-Help.xml: with PlatyPS when it is
               installed, otherwise with tools/HelpCompiler; then checks the result is in step with the markdown.
      Package  a .nupkg of the assembled module folder that Install-PSResource / Install-Module understand.
    The version has one source: ModuleVersion in PSOmapi.psd1.

.EXAMPLE
    ./build.ps1 -Task Build, Test

.EXAMPLE
    ./build.ps1 -Task Docs, Build
    After editing docs/help: compile the help, then assemble the module with it.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$manifest = Import-PowerShellDataFile -Path (Join-Path $root 'PSOmapi.psd1')
$version = $manifest.ModuleVersion
$moduleDir = Join-Path $root "output/PSOmapi/$version"

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-BuildTask {
    Invoke-Native dotnet @('build', (Join-Path $root 'PSOmapi.slnx'), '-c', $Configuration)
    if (-not (Test-Path (Join-Path $moduleDir 'PSOmapi.psd1'))) {
        throw "The build did not assemble $moduleDir."
    }
    Write-Host "Module assembled in $moduleDir"
}

function Invoke-TestTask {
    $onLinux = $PSVersionTable.PSEdition -eq 'Core' -and $IsLinux
    if ($onLinux -and (Get-Command unshare -ErrorAction SilentlyContinue)) {
        Invoke-Native bash @((Join-Path $root 'tests/run-tests.sh'))
    }
    else {
        Invoke-Native dotnet @('test', (Join-Path $root 'PSOmapi.slnx'), '-c', $Configuration)
    }

    $pester = Get-Module -ListAvailable -Name Pester | Sort-Object Version -Descending | Select-Object -First 1
    if ($pester -and $pester.Version -ge [version]'5.0') {
        Import-Module $pester
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $root 'tests/Pester'
        $config.Run.Exit = $false
        $config.Run.Throw = $true
        $config.Output.Verbosity = 'Detailed'
        Invoke-Pester -Configuration $config
    }
    else {
        Write-Warning 'Pester 5 is not installed: skipping tests/Pester (Install-Module Pester -MinimumVersion 5.0).'
    }
}

function Invoke-DocsTask {
    # docs/help/<Cmdlet>.md (PlatyPS markdown, schema 2.0.0) is the source of en-US/PSOmapi.dll-Help.xml; the about_
    # topics are written directly as en-US/about_*.help.txt. HelpTests (tests/PSOmapi.Tests) fail when the two drift.
    $markdown = Join-Path $root 'docs/help'
    $maml = Join-Path $root 'en-US/PSOmapi.dll-Help.xml'
    $compiler = Join-Path $root 'tools/HelpCompiler/HelpCompiler.csproj'
    $platyPS = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($platyPS) {
        Import-Module $platyPS
        $files = Get-ChildItem -Path $markdown -Filter '*.md' | Where-Object { $_.Name -notlike 'about_*' }
        New-ExternalHelp -Path $files.FullName -OutputPath (Join-Path $root 'en-US') -Force | Out-Null
        Write-Host "Compiled $maml from docs/help with PlatyPS $($platyPS.Version)."
    }
    else {
        # PlatyPS cannot be installed everywhere (not on this project's CI): tools/HelpCompiler writes the same MAML.
        Invoke-Native dotnet @('run', '--project', $compiler, '-c', $Configuration, '--', 'build', $markdown, $maml)
        Write-Host 'PlatyPS is not installed: compiled with tools/HelpCompiler (Install-Module platyPS to use it instead).'
    }

    # Whichever compiled it, the file must be in step with the markdown (compared as Get-Help reads it).
    Invoke-Native dotnet @('run', '--project', $compiler, '-c', $Configuration, '--', 'check', $markdown, $maml)
}

function Invoke-PackageTask {
    if (-not (Test-Path (Join-Path $moduleDir 'PSOmapi.psd1'))) {
        Invoke-BuildTask
    }
    $packages = Join-Path $root 'output/packages'
    New-Item -ItemType Directory -Force -Path $packages | Out-Null
    $repoName = 'PSOmapiLocalBuild'
    if (Get-Command Register-PSResourceRepository -ErrorAction SilentlyContinue) {
        if (-not (Get-PSResourceRepository -Name $repoName -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name $repoName -Uri $packages -Trusted
        }
        try {
            Publish-PSResource -Path $moduleDir -Repository $repoName
        }
        finally {
            Unregister-PSResourceRepository -Name $repoName
        }
    }
    else {
        if (-not (Get-PSRepository -Name $repoName -ErrorAction SilentlyContinue)) {
            Register-PSRepository -Name $repoName -SourceLocation $packages -PublishLocation $packages -InstallationPolicy Trusted
        }
        try {
            Publish-Module -Path $moduleDir -Repository $repoName
        }
        finally {
            Unregister-PSRepository -Name $repoName
        }
    }
    Write-Host "Package written to $packages"
}

foreach ($t in $Task) {
    Write-Host "== $t =="
    switch ($t) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Docs' { Invoke-DocsTask }
        'Package' { Invoke-PackageTask }
    }
}
