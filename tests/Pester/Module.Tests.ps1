# The module as installed: what Install-PSResource put on the module path, its manifest and its exports.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi
}

Describe 'The installed module' {
    It 'is the copy Install-PSResource installed, imported by name' {
        $module = Get-Module PSOmapi
        $module.ModuleBase | Should -Be $env:PSOMAPI_TEST_INSTALLED_BASE
        $modules = Split-Path (Split-Path $module.ModuleBase)
        (Get-InstalledPSResource -Name PSOmapi -Path $modules).Version | Should -Be $module.Version
    }

    It 'has a manifest for Windows PowerShell 5.1 and PowerShell 7' {
        $manifest = Test-ModuleManifest -Path (Join-Path (Get-Module PSOmapi).ModuleBase 'PSOmapi.psd1')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
    }

    It 'exports exactly the cmdlets its assembly defines' {
        $defined = [PSOmapi.ConnectOmapiCommand].Assembly.GetTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object
        (Get-Command -Module PSOmapi).Name | Sort-Object | Should -Be $defined
    }
}

Describe 'Windows PowerShell 5.1 compatibility (what can be checked here)' {
    It 'ships assemblies built for .NET Standard 2.0 that depend on nothing but netstandard and the PowerShell API' {
        $base = (Get-Module PSOmapi).ModuleBase
        foreach ($name in 'PSOmapi.dll', 'Omapi.Core.dll') {
            $assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.Location -eq (Join-Path $base $name) }
            $assembly | Should -Not -BeNullOrEmpty -Because "$name is loaded from the installed module"
            $framework = $assembly.GetCustomAttributes([Runtime.Versioning.TargetFrameworkAttribute], $false).FrameworkName
            $framework | Should -Be '.NETStandard,Version=v2.0' -Because $name
            $assembly.GetReferencedAssemblies().Name | Where-Object { $_ -notin 'netstandard', 'System.Management.Automation', 'Omapi.Core' } |
                Should -BeNullOrEmpty -Because "$name must load in Windows PowerShell 5.1 without other dependencies"
        }
        (Get-ChildItem -Path $base -Filter '*.dll').Name | Sort-Object | Should -Be @('Omapi.Core.dll', 'PSOmapi.dll')
    }
}

Describe 'The time zone pass' -Tag 'TimeZone' {
    It 'runs in the zone it was asked for (UTC+9 in the second pass)' {
        $offset = [TimeZoneInfo]::Local.BaseUtcOffset
        if ($env:TZ) {
            $offset | Should -Be ([TimeSpan]::FromHours(9))
        }
        else {
            $offset | Should -BeOfType [TimeSpan]
        }
    }
}

Describe 'The lab' {
    It 'answers on every instance' {
        foreach ($name in (Get-TestLab).Instances.Name) {
            $session = Connect-TestServer -Name $name
            $session.IsConnected | Should -BeTrue -Because $name
            Disconnect-Omapi -Session $session
        }
    }
}

Describe 'Links: the project, and each cmdlet''s online help' {
    BeforeAll {
        $project = 'https://github.com/PSOmapi/PSOmapi'
        $manifest = Test-ModuleManifest -Path (Join-Path (Get-Module PSOmapi).ModuleBase 'PSOmapi.psd1')
        $repository = (Get-TestLab).Repository
    }

    It 'the manifest names the project and the license' {
        $manifest.PrivateData.PSData.ProjectUri | Should -Be $project
        $manifest.PrivateData.PSData.LicenseUri | Should -Be 'https://opensource.org/licenses/MIT'
        "$((Get-Module PSOmapi).ProjectUri)" | Should -Be $project
    }

    It '<_> has a HelpUri: its page under docs/help on the main branch, built from the manifest''s ProjectUri' -ForEach @(
        (Get-Command -Module PSOmapi).Name
    ) {
        (Get-Command $_).HelpUri | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/docs/help/$_.md"
        Join-Path $repository "docs/help/$_.md" | Should -Exist
    }

    It 'Get-Help -Online opens that page for <_>' -ForEach @((Get-Command -Module PSOmapi).Name) {
        # A browser of our own on PATH (.NET opens URIs with xdg-open on Linux): it writes down what it was given.
        $bin = Join-Path $TestDrive "browser-$_"
        New-Item -ItemType Directory -Path $bin | Out-Null
        $opened = Join-Path $bin 'opened.txt'
        Set-Content -Path (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`nprintf '%s\n' `"`$1`" > '$opened'`n"
        chmod +x (Join-Path $bin 'xdg-open')
        $savedPath = $env:PATH
        try {
            $env:PATH = $bin + [IO.Path]::PathSeparator + $savedPath
            Get-Help -Name $_ -Online -ErrorAction Stop
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not (Get-Content -LiteralPath $opened -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
        }
        finally {
            $env:PATH = $savedPath
        }
        Get-Content -LiteralPath $opened | Should -Be "$project/blob/main/docs/help/$_.md"
    }
}
