# Every example of the documentation runs: README.md's ```powershell blocks, the Get-Help examples (docs/help/*.md,
# the source of en-US/PSOmapi.dll-Help.xml) and the about topics' code (en-US/about_*.help.txt), each in a new pwsh
# against the documentation's server (tests/TestLab/DocsWorld.cs). How examples are found and run:
# tests/Pester/DocExamples.psm1; what each one assumes, shows and does: tests/Pester/Examples.psd1.
BeforeDiscovery {
    Import-Module PSOmapi
    Import-Module (Join-Path $PSScriptRoot 'DocExamples.psm1') -Force
    $repository = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $data = Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'Examples.psd1')
    $set = Get-DocExampleSet -Repository $repository -ProseBlocks $data.ProseBlocks
    $sources = @(
        @{ Source = 'README.md'; Pattern = 'README.md' }
        @{ Source = 'docs/help (Get-Help examples)'; Pattern = 'docs/help/*' }
        @{ Source = 'en-US/about_* topics'; Pattern = 'en-US/about_*' }
    )
    # While working on examples: PSOMAPI_EXAMPLES='*Quick start*,*Get-OmapiLease.md*' runs only those (CI never sets it).
    $only = @(if ($env:PSOMAPI_EXAMPLES) { $env:PSOMAPI_EXAMPLES -split ',' })
    $groups = foreach ($s in $sources) {
        $examples = @($set.Examples | Where-Object { $_.Source -like $s.Pattern } |
                Where-Object { $e = $_; -not $only -or ($only | Where-Object { $e.Name -like $_ }) })
        if ($examples) { @{ Source = $s.Source; Examples = $examples } }
    }
    $counts = foreach ($file in $data.MinimumCounts.Keys | Sort-Object) {
        @{ File = $file; Minimum = $data.MinimumCounts[$file]; Found = @($set.Examples | Where-Object Source -EQ $file).Count }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module (Join-Path $PSScriptRoot 'DocExamples.psm1') -Force
    Import-Module PSOmapi
    $repository = (Get-TestLab).Repository
    $data = Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'Examples.psd1')
    $keyFile = (Get-TestServer -Name docs).KeyFile
    $pesterManifest = (Get-Module Pester).Path
    # This process's default session: the docs server, for the set-up and checks of Examples.psd1.
    $docs = Connect-TestServer -Name docs
    Wait-DocsFailoverNormal
    $started = [DateTime]::UtcNow
}

AfterAll {
    if ($started) { Write-Host ("Examples.Tests.ps1 took {0:n0} s" -f ([DateTime]::UtcNow - $started).TotalSeconds) }
    Disconnect-Omapi -All -ErrorAction SilentlyContinue
}

Describe 'The documentation''s examples are all found' {
    It 'finds no example that could go missing unnoticed' -ForEach @{ Problems = $set.Problems } {
        $Problems | Should -BeNullOrEmpty
    }

    It '<File> has at least <Minimum> examples (found <Found>)' -ForEach $counts {
        $Found | Should -BeGreaterOrEqual $Minimum
    }

    It 'every source file with examples has a minimum in Examples.psd1' -ForEach @{ Files = @($set.Examples.Source | Sort-Object -Unique) } {
        $Files | Where-Object { -not $data.MinimumCounts.ContainsKey($_) } | Should -BeNullOrEmpty
    }

    It 'every Examples.psd1 entry names an example that exists' -ForEach @{ Keys = @($set.Examples.Key) } {
        $data.Examples.Keys | Where-Object { $Keys -notcontains $_ } | Should -BeNullOrEmpty
    }

    It 'no example writes Should -Throw -ErrorId with a bare ErrorId' -ForEach @{ Examples = $set.Examples } {
        # Pester 5 compares -ErrorId with -like against the whole FullyQualifiedErrorId (Id,Cmdlet): 'Id,*' matches.
        $bare = foreach ($e in $Examples) {
            foreach ($line in $e.Code -split "`n") {
                if ($line -match '-ErrorId\s+(?!''[A-Za-z]+,\*'')') { "$($e.Key): $($line.Trim())" }
            }
        }
        $bare | Should -BeNullOrEmpty
    }
}

Describe 'Should -Throw -ErrorId in Pester <_>' -ForEach @((Get-Module Pester).Version.ToString()) {
    It 'matches ''LeaseNotFound,*'' and not a bare LeaseNotFound' {
        $null = Connect-TestServer -Name docs
        { Get-OmapiLease -IPAddress 203.0.113.250 -ErrorAction Stop } | Should -Throw -ErrorId 'LeaseNotFound,*'
        { { Get-OmapiLease -IPAddress 203.0.113.250 -ErrorAction Stop } | Should -Throw -ErrorId LeaseNotFound } |
            Should -Throw -ExpectedMessage '*LeaseNotFound,PSOmapi.GetOmapiLeaseCommand*'
    }
}

Describe '<Source>' -ForEach $groups {
    It '<Name>' -ForEach $Examples {
        $entry = if ($data.Examples.ContainsKey($Key)) { $data.Examples[$Key] } else { @{} }
        $output = Invoke-DocExample -Example $_ -Entry $entry -Repository $repository -KeyFile $keyFile -PesterManifest $pesterManifest
        # While working on examples: PSOMAPI_EXAMPLES_SHOW=1 prints what each one printed.
        if ($env:PSOMAPI_EXAMPLES_SHOW) { $output | ForEach-Object { Write-Host "    | $_" } }
    }
}
