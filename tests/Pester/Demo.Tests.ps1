# The README's output excerpts are what real pwsh prints. demo/QuickStart.ps1 (the README's quick start, as far as it
# runs unattended) runs as demo/run.sh shows it: through demo/Show-Demo.ps1, in a new pwsh (the pinned dotnet tool)
# whose output is redirected (80 columns), in a scratch directory holding omapi.key, against the documentation's server
# (DocsWorld, which demo/run.sh starts too). Every excerpt of README.md (its fenced blocks without a language: output)
# must be in that output, each paragraph as lines in a row, in order. When the views change, copy the new output into
# the README (bash demo/run.sh prints the same).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocExamples.psm1') -Force
    $repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $excerpts = @(Get-ReadmeOutputExcerpt -Repository $repository | ForEach-Object { @{ Line = $_.Line; Lines = $_.Lines } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module (Join-Path $PSScriptRoot 'DocExamples.psm1') -Force
    Import-Module PSOmapi
    $repository = (Get-TestLab).Repository
    $null = Connect-TestServer -Name docs
    Reset-DocsWorld

    $scratch = Join-Path ([IO.Path]::GetTempPath()) ('psomapi-demo-test-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $scratch | Out-Null
    Copy-Item -LiteralPath (Get-TestServer -Name docs).KeyFile -Destination (Join-Path $scratch 'omapi.key')
    Push-Location $repository
    $savedTz = $env:TZ
    try {
        # Times in the excerpts are the same in every run (DocsWorld's fixed lease times) when shown in one zone.
        $env:TZ = 'UTC'
        $demo = @(& dotnet pwsh -NoLogo -NoProfile -NonInteractive -WorkingDirectory $scratch -File demo/Show-Demo.ps1 -Path demo/QuickStart.ps1 2>&1 |
                ForEach-Object { "$_" })
        $demoExitCode = $LASTEXITCODE
    }
    finally {
        $env:TZ = $savedTz
        Pop-Location
        Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
    Reset-DocsWorld
}

AfterAll {
    Disconnect-Omapi -All -ErrorAction SilentlyContinue
}

Describe 'The demo (demo/QuickStart.ps1 through demo/Show-Demo.ps1)' {
    It 'runs every statement as the README shows it, with no error but the one it shows on purpose' {
        $demoExitCode | Should -Be 0 -Because ($demo -join "`n")
        $demo | Should -Contain 'PS> Connect-Omapi dhcp1.example.net -KeyFile /etc/dhcp/omapi.key'
    }

    It 'README.md has output excerpts' -ForEach @{ Count = $excerpts.Count } {
        $Count | Should -BeGreaterOrEqual 4
    }

    It 'README.md line <Line>: the excerpt is what pwsh prints' -ForEach $excerpts {
        $missing = Find-ExcerptInOutput -Excerpt $Lines -Output $demo
        $missing | Should -BeNullOrEmpty -Because "README.md's excerpt at line $Line must be real output; the demo printed:`n$($demo -join "`n")`n"
    }
}
