<#
    The documentation's examples, found mechanically, and how one of them is run (tests/Pester/Examples.Tests.ps1).

    Where examples are:
      README.md                  every ```powershell fenced block; titled "<section heading> #<n>".
      docs/help/*.md             every ```powershell block under "## EXAMPLES", one per "### Example N: title" (the
                                 source of Get-Help's examples: en-US/PSOmapi.dll-Help.xml is compiled from them).
      en-US/about_*.help.txt     every block of lines indented 8 spaces or more that follows a blank line (a blank
                                 line ends a block), parses, and whose every command is a PowerShell command (cmdlet,
                                 function or alias: PSOmapi's, Pester's or PowerShell's own; native programs do not
                                 count, so "dhcpd says ..." is text); titled "<SECTION> #<n>".
    Nothing that looks like an example can be left out without a test failing: Get-DocExampleProblem reports a help
    heading without exactly one block, a ```powershell block outside EXAMPLES, an about-topic block that names a
    command (Verb-Noun) but is not an example and is not listed as prose, an indented block that would be an example
    but does not follow a blank line, and an example that mixes Pester blocks with other statements.

    How an example runs (Invoke-DocExample): in a NEW pwsh (the pinned dotnet tool), in a fresh scratch directory
    holding the fixture files of tests/Pester/ExampleFiles and ./omapi.key, against the documentation's server
    (DocsWorld: dhcp1.example.net, /etc/dhcp/omapi.key inside the suite's namespace). Get-Credential is a function
    that answers with the docs key (it stands in for the user typing the secret), and Wait-Event is wrapped so the
    suite knows when the example waits (it then makes the change the example waits for). An example without its own
    Connect-Omapi runs after one (its session is what the example assumes). Pester examples run through Invoke-Pester
    (fragments wrapped in a Describe) and must pass; other examples must leave no error in $Error but the ones
    tests/Pester/Examples.psd1 says they show. After every example the docs server and its failover partner are reset
    to the world's leases files, so examples cannot depend on each other.
#>

Set-StrictMode -Version Latest

$script:PesterBlockNames = @('Describe', 'Context', 'It', 'BeforeAll', 'AfterAll', 'BeforeEach', 'AfterEach')

function ConvertTo-ExampleRecord {
    param([string] $Source, [string] $Title, [int] $Line, [string] $Code)
    $kind = Get-PesterKind -Code $Code
    @{
        Source    = $Source
        Title     = $Title
        Name      = "$(Split-Path -Leaf $Source): $Title"
        Key       = "${Source}: $Title"
        Line      = $Line
        Code      = $Code
        Pester    = $kind
    }
}

function Get-PesterKind {
    <# File (a Describe at the top), Fragment (It/BeforeAll/... at the top), Mixed (Pester blocks and other statements
       at the top) or None. #>
    param([string] $Code)
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
    $names = @(foreach ($statement in $ast.EndBlock.Statements) {
            $command = $null
            if ($statement -is [System.Management.Automation.Language.PipelineAst] -and $statement.PipelineElements.Count -eq 1 -and
                $statement.PipelineElements[0] -is [System.Management.Automation.Language.CommandAst]) {
                $command = $statement.PipelineElements[0].GetCommandName()
            }
            if ($command -in $script:PesterBlockNames) { $command } else { '' }
        })
    $blocks = @($names | Where-Object { $_ })
    if ($blocks.Count -eq 0) { return 'None' }
    if ($blocks.Count -ne $names.Count) { return 'Mixed' }
    if ($blocks -contains 'Describe') { return 'File' }
    'Fragment'
}

function Get-ReadmeExample {
    param([string] $Repository, [System.Collections.Generic.List[string]] $Problems)
    $lines = Get-Content -LiteralPath (Join-Path $Repository 'README.md')
    $heading = '(top)'
    $counts = @{}
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^```(\S*)\s*$') {
            $language = $Matches[1]
            $start = $i + 1
            $i++
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') { $i++ }
            if ($language -eq 'powershell') {
                $counts[$heading] = 1 + $(if ($counts.ContainsKey($heading)) { $counts[$heading] } else { 0 })
                $code = ($lines[$start..($i - 1)] -join "`n")
                ConvertTo-ExampleRecord -Source 'README.md' -Title "$heading #$($counts[$heading])" -Line $start -Code $code
            }
            elseif ($language -match '^(ps1|pwsh|posh)$') {
                $Problems.Add("README.md line ${start}: a $language block; write ``````powershell so it runs as an example")
            }
            continue
        }
        if ($line -match '^#{1,6}\s+(.+?)\s*$') { $heading = $Matches[1] }
    }
}

function Get-HelpMarkdownExample {
    param([string] $Repository, [System.Collections.Generic.List[string]] $Problems)
    foreach ($file in Get-ChildItem -LiteralPath (Join-Path $Repository 'docs/help') -Filter '*.md' | Sort-Object Name) {
        $source = "docs/help/$($file.Name)"
        $lines = Get-Content -LiteralPath $file.FullName
        $section = ''
        $title = $null
        $blocks = [ordered]@{}
        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($line -match '^```(\S*)\s*$') {
                $language = $Matches[1]
                $start = $i + 1
                $i++
                while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') { $i++ }
                if ($language -eq 'powershell') {
                    if ($section -ne 'EXAMPLES' -or -not $title) {
                        $Problems.Add("$source line ${start}: a powershell block outside an '### Example' heading of EXAMPLES")
                    }
                    else {
                        $blocks[$title] = @($blocks[$title]) + @(, @{ Line = $start; Code = ($lines[$start..($i - 1)] -join "`n") })
                    }
                }
                continue
            }
            if ($line -match '^## (.+?)\s*$') { $section = $Matches[1]; $title = $null; continue }
            if ($section -eq 'EXAMPLES' -and $line -match '^### (.+?)\s*$') {
                $title = $Matches[1]
                if ($blocks.Contains($title)) { $Problems.Add("${source}: two examples are titled '$title'") }
                $blocks[$title] = @()
            }
        }
        foreach ($t in $blocks.Keys) {
            $found = @($blocks[$t])
            if ($found.Count -ne 1) {
                $Problems.Add("${source}: '$t' has $($found.Count) powershell blocks; an example has exactly one")
                continue
            }
            ConvertTo-ExampleRecord -Source $source -Title $t -Line $found[0].Line -Code $found[0].Code
        }
    }
}

function Test-AllCommandsResolve {
    <# True when $Code parses and every command it calls is a cmdlet, function or alias (not a native program). #>
    param([string] $Code)
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $errors)
    if ($errors.Count -gt 0) { return $false }
    $calls = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true))
    if ($calls.Count -eq 0) { return $false }
    foreach ($call in $calls) {
        $name = $call.GetCommandName()
        if (-not $name -or -not (Get-Command -Name $name -CommandType Cmdlet, Function, Alias -ErrorAction SilentlyContinue)) {
            return $false
        }
    }
    $true
}

function Get-AboutTopicBlock {
    <# Every run of lines indented 8 spaces or more in an about topic: its section, first line number, code (the 8
       spaces removed) and whether a blank line comes before it. #>
    param([string] $Path)
    $lines = Get-Content -LiteralPath $Path
    $section = ''
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^[A-Z][A-Z0-9 _:,()-]*$') { $section = $line.Trim(); continue }
        if ($line -notmatch '^ {8}') { continue }
        $start = $i
        $afterBlank = $i -gt 0 -and $lines[$i - 1].Trim() -eq ''
        while ($i + 1 -lt $lines.Count -and $lines[$i + 1] -match '^ {8}') { $i++ }
        [pscustomobject]@{
            Section    = $section
            Line       = $start + 1
            AfterBlank = $afterBlank
            Code       = (($lines[$start..$i] | ForEach-Object { $_.Substring(8) }) -join "`n")
        }
    }
}

function Get-AboutTopicExample {
    param([string] $Repository, [System.Collections.Generic.List[string]] $Problems, [string[]] $Prose)
    $verbs = @(Get-Verb | ForEach-Object Verb)
    foreach ($file in Get-ChildItem -LiteralPath (Join-Path $Repository 'en-US') -Filter 'about_*.help.txt' | Sort-Object Name) {
        $source = "en-US/$($file.Name)"
        $counts = @{}
        foreach ($block in Get-AboutTopicBlock -Path $file.FullName) {
            $isCode = Test-AllCommandsResolve -Code $block.Code
            $firstLine = ($block.Code -split "`n")[0].Trim()
            if ($isCode -and $block.AfterBlank) {
                $counts[$block.Section] = 1 + $(if ($counts.ContainsKey($block.Section)) { $counts[$block.Section] } else { 0 })
                ConvertTo-ExampleRecord -Source $source -Title "$($block.Section) #$($counts[$block.Section])" -Line $block.Line -Code $block.Code
            }
            elseif ($isCode) {
                $Problems.Add("$source line $($block.Line): indented code that does not follow a blank line, so it is not run as an example: $firstLine")
            }
            elseif ($block.AfterBlank) {
                $named = @([regex]::Matches($block.Code, '\b([A-Z][a-z]+)-[A-Z][A-Za-z]+\b') | Where-Object { $verbs -contains $_.Groups[1].Value })
                if ($named.Count -gt 0 -and $Prose -notcontains "${source}: $firstLine") {
                    $Problems.Add("$source line $($block.Line): a block that names $($named[0].Value) is not an example (it does not parse, or calls something that is not a PowerShell command); fix it, or list it in Examples.psd1 ProseBlocks as '${source}: $firstLine'")
                }
            }
        }
    }
}

function Get-DocExampleSet {
    <# Every example of README.md, docs/help and en-US/about_*, and the problems that would make one go missing. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Repository,
        # Blocks of the about topics that name commands but are prose ("<source>: <first line>").
        [string[]] $ProseBlocks = @()
    )
    $problems = [System.Collections.Generic.List[string]]::new()
    $examples = @(
        Get-ReadmeExample -Repository $Repository -Problems $problems
        Get-HelpMarkdownExample -Repository $Repository -Problems $problems
        Get-AboutTopicExample -Repository $Repository -Problems $problems -Prose $ProseBlocks
    )
    foreach ($e in $examples) {
        if ($e.Pester -eq 'Mixed') {
            $problems.Add("$($e.Key): mixes Pester blocks with other statements at the top; make it two examples")
        }
    }
    [pscustomobject]@{ Examples = $examples; Problems = @($problems) }
}

function Get-ReadmeOutputExcerpt {
    <# The README's output excerpts: every fenced block without a language (config and shell blocks name theirs). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Repository)
    $lines = Get-Content -LiteralPath (Join-Path $Repository 'README.md')
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match '^```(\S*)\s*$') {
            $language = $Matches[1]
            $start = $i + 1
            $i++
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') { $i++ }
            if (-not $language) {
                [pscustomobject]@{ Line = $start; Lines = @($lines[$start..($i - 1)]) }
            }
        }
    }
}

function Find-ExcerptInOutput {
    <#
        Where an output excerpt is missing from real output, or nothing when it is there: every paragraph of the
        excerpt (its lines between blank lines) must appear in the output as lines in a row, and the paragraphs in
        their order. Trailing spaces do not count; blank output lines between an excerpt's lines do.
    #>
    [CmdletBinding()]
    param([string[]] $Excerpt, [string[]] $Output)
    $out = @($Output | ForEach-Object { "$_".TrimEnd() })
    $paragraphs = [System.Collections.Generic.List[object]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    foreach ($line in @($Excerpt) + '') {
        if ($line.Trim() -eq '') {
            if ($current.Count -gt 0) { $paragraphs.Add(@($current)); $current = [System.Collections.Generic.List[string]]::new() }
        }
        else { $current.Add($line.TrimEnd()) }
    }
    $from = 0
    foreach ($paragraph in $paragraphs) {
        $found = -1
        for ($i = $from; $i -le $out.Count - $paragraph.Count -and $found -lt 0; $i++) {
            $match = $true
            for ($j = 0; $j -lt $paragraph.Count -and $match; $j++) { $match = $out[$i + $j] -ceq $paragraph[$j] }
            if ($match) { $found = $i }
        }
        if ($found -lt 0) {
            $anywhere = [array]::IndexOf($out, $paragraph[0])
            $hint = if ($anywhere -ge 0) { "its first line is at output line $($anywhere + 1); there the output reads:`n" + (($out[$anywhere..[Math]::Min($out.Count - 1, $anywhere + $paragraph.Count + 1)]) -join "`n") }
            else { 'its first line is nowhere in the output' }
            "not in the output (in this order, lines in a row):`n$($paragraph -join "`n")`n-- $hint"
            return
        }
        $from = $found + $paragraph.Count
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Running one example.

$script:Current = $null

function Wait-ExampleSignal {
    <# In a During script: waits until the running example calls Wait-Event (or its After script signals), so the
       change it waits for is made after it started watching. #>
    [CmdletBinding()]
    param([int] $TimeoutSec = 60)
    $file = Join-Path $script:Current.Scratch '.psomapi-example-waits'
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (Test-Path -LiteralPath $file)) {
        if ($script:Current.Process.HasExited) { throw 'The example ended before it waited for an event.' }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The example did not call Wait-Event within $TimeoutSec s." }
        Start-Sleep -Milliseconds 100
    }
}

function Start-ExampleWebhook {
    <# A local HTTP listener standing in for a chat webhook; returns its URL. Receive-ExampleWebhook reads one POST. #>
    [CmdletBinding()]
    param()
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start()
    $port = $probe.LocalEndpoint.Port
    $probe.Stop()
    $listener = [System.Net.HttpListener]::new()
    $url = "http://127.0.0.1:$port/alert/"
    $listener.Prefixes.Add($url)
    $listener.Start()
    $script:Current.Webhook = $listener
    $url
}

function Receive-ExampleWebhook {
    <# The body of the next request to the webhook (waits up to -TimeoutSec), or an error. #>
    [CmdletBinding()]
    param([int] $TimeoutSec = 60)
    $listener = $script:Current.Webhook
    $task = $listener.GetContextAsync()
    if (-not $task.Wait([TimeSpan]::FromSeconds($TimeoutSec))) { throw "No request reached the webhook within $TimeoutSec s." }
    $context = $task.Result
    $reader = [System.IO.StreamReader]::new($context.Request.InputStream)
    $body = $reader.ReadToEnd()
    $context.Response.StatusCode = 200
    $context.Response.Close()
    [pscustomobject]@{ Method = $context.Request.HttpMethod; Body = $body }
}

function Wait-DocsFailoverNormal {
    <# Waits until the docs server and its partner are both in state Normal (after a reset or a restart). #>
    [CmdletBinding()]
    param([int] $TimeoutSec = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        $state = Get-OmapiFailoverState -Name ([PSOmapi.Testing.DocsWorld]::FailoverPeerName) -ErrorAction SilentlyContinue
        if ($state -and "$($state.LocalState)" -eq 'Normal' -and "$($state.PartnerState)" -eq 'Normal') { return }
        Start-Sleep -Milliseconds 200
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "The docs failover pair is not Normal after $TimeoutSec s (now $($state.LocalState) / $($state.PartnerState))."
}

function Reset-DocsWorld {
    <# The docs server and its failover partner back to DocsWorld's leases files (main process only). #>
    [CmdletBinding()]
    param()
    if ($null -eq $global:PSOmapiTestLab) { throw 'Reset-DocsWorld works only in the process that started the lab.' }
    $global:PSOmapiTestLab.Reset([string[]] @('docs', 'docs-partner'))
    Wait-DocsFailoverNormal
}

function New-ExampleWrapper {
    <# The script the new pwsh runs: the stand-ins, the example's session, the example, and its result as JSON. #>
    param($Example, $Entry, [string] $Scratch, [string] $Repository, [string] $PesterManifest, [string] $ResultFile)
    $q = { param($s) "'" + ($s -replace "'", "''") + "'" }
    $connects = $Example.Code -match '\bConnect-Omapi\b'
    $servers = @(if ($Entry.ContainsKey('Connect')) { $Entry.Connect } elseif (-not $connects) { 'dhcp1.example.net' })
    $usesPester = $Example.Pester -ne 'None' -or $Example.Code -match '\bShould\b'
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('# Generated by tests/Pester/DocExamples.psm1 for: ' + $Example.Key)
    $lines.Add('$ErrorActionPreference = ''Continue''')
    $lines.Add('$ProgressPreference = ''SilentlyContinue''')
    # Plain text, as a log or a terminal without colours shows it: what Check compares.
    $lines.Add('$PSStyle.OutputRendering = ''PlainText''')
    $lines.Add('$__scratch = ' + (& $q $Scratch))
    $location = if ($Entry.ContainsKey('Location') -and $Entry.Location -eq 'Repository') { $Repository } else { $Scratch }
    $lines.Add('Set-Location -LiteralPath ' + (& $q $location))
    $lines.Add('$env:OMAPI_KEY_FILE = ' + (& $q ([PSOmapi.Testing.DocsWorld]::KeyFilePath)))
    # The user typing the key's secret: read from the docs key file when asked, never written anywhere.
    $lines.Add(@'
function Get-Credential {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string] $UserName = 'omapi_key', [string] $Message, [string] $Title)
    $text = Get-Content -Raw -LiteralPath $env:OMAPI_KEY_FILE
    if ($text -notmatch 'secret\s+"([^"]+)"') { throw "no secret in $env:OMAPI_KEY_FILE" }
    [pscredential]::new($UserName, (ConvertTo-SecureString -String $Matches[1] -AsPlainText -Force))
}
function Wait-Event {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string] $SourceIdentifier, [int] $Timeout = -1)
    New-Item -ItemType File -Force -Path (Join-Path $__scratch '.psomapi-example-waits') | Out-Null
    Microsoft.PowerShell.Utility\Wait-Event @PSBoundParameters
}
function Wait-ExampleFile {
    param([string] $Path, [int] $TimeoutSec = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (Test-Path -LiteralPath $Path) -and [DateTime]::UtcNow -lt $deadline) { Wait-Event -Timeout 1 | Out-Null }
    if (-not (Test-Path -LiteralPath $Path)) { throw "$Path was not written within $TimeoutSec s" }
}
'@)
    if ($usesPester) { $lines.Add('Import-Module ' + (& $q $PesterManifest)) }
    foreach ($server in $servers) {
        $lines.Add('Connect-Omapi -Server ' + (& $q $server) + ' -KeyFile $env:OMAPI_KEY_FILE | Out-Null')
    }
    if ($Entry.ContainsKey('Before')) { $lines.Add($Entry.Before) }
    $lines.Add('$global:LASTEXITCODE = 0')
    $lines.Add('$Error.Clear()')
    $lines.Add('$__result = [ordered]@{ Terminated = $null; ExitCode = 0; Pester = $null; After = $null }')
    if ($Example.Pester -eq 'None') {
        # Out-Default here: a script's own output waits in the formatter until the script ends, and the exit below would
        # drop a table still waiting there.
        $lines.Add('try { . ' + (& $q (Join-Path $Scratch 'example.ps1')) + ' | Out-Default } catch { $__result.Terminated = "$_" }')
        $lines.Add('$__result.ExitCode = $LASTEXITCODE')
    }
    else {
        $lines.Add(@'
$__config = New-PesterConfiguration
$__config.Run.Path = (Join-Path $__scratch 'example.Tests.ps1')
$__config.Run.PassThru = $true
$__config.Output.Verbosity = 'Detailed'
$__run = Invoke-Pester -Configuration $__config
$__result.Pester = [ordered]@{
    Passed = $__run.PassedCount; Failed = $__run.FailedCount; Skipped = $__run.SkippedCount; NotRun = $__run.NotRunCount
    FailedBlocks = $__run.FailedBlocksCount; FailedContainers = $__run.FailedContainersCount
    Failures = @($__run.Failed | ForEach-Object { "$($_.ExpandedPath): $($_.ErrorRecord)" })
}
'@)
    }
    $lines.Add('$__errors = @($Error)')
    if ($Entry.ContainsKey('After')) {
        $lines.Add('try {')
        $lines.Add($Entry.After)
        $lines.Add('} catch { $__result.After = "$_" }')
    }
    $lines.Add(@'
[array]::Reverse($__errors)
$__result.Errors = @($__errors | ForEach-Object {
    [ordered]@{ Id = "$($_.FullyQualifiedErrorId)"; Message = "$_"; Target = "$($_.TargetObject)" }
})
'@)
    $lines.Add('$__result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath ' + (& $q $ResultFile))
    $lines.Add('exit 0')
    $lines -join "`n"
}

function Invoke-DocExample {
    <#
        Runs one example (a record of Get-DocExampleSet) as its Examples.psd1 entry says, in a new pwsh, and throws
        (with the example's output) when it failed. Always resets the docs world afterwards.
        Entry keys (all optional):
          Setup, During, Check  PowerShell run in THIS process (default session: the docs server): before the example,
                                while it runs, after it ended. $Context holds Scratch, Environment (set by Setup for
                                the new pwsh), Output (lines), Process; Wait-ExampleSignal, Start-/Receive-ExampleWebhook
                                help.
          Before, After         PowerShell run in the example's pwsh just before and after the example.
          Connect               The servers the example's session is opened to first (default: dhcp1.example.net
                                unless the example runs Connect-Omapi itself; @() for none).
          Errors                The ErrorIds the example is documented to show: each must be in $Error, nothing else.
          Answers               Lines typed at the example's prompts (Confirm); the example must have asked.
          TimeoutSec            How long the example may run (default 90).
          RunsUntilStopped      The example never ends by design (a watchdog loop): it is stopped after During.
          Files                 Extra fixture files: name = content.
          Location              'Repository': the example runs in the repository (default: its scratch directory).
          Environment           Extra environment variables for the example's pwsh.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Example,
        [hashtable] $Entry = @{},
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [string] $KeyFile,
        [Parameter(Mandatory)] [string] $PesterManifest
    )
    $scratch = Join-Path ([IO.Path]::GetTempPath()) ('psomapi-example-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $scratch | Out-Null
    $context = [pscustomobject]@{
        Example = $Example; Scratch = $scratch; Environment = @{}; Output = @(); Process = $null; Webhook = $null; ExitCode = $null
        Seconds = 0
    }
    $script:Current = $context
    try {
        Copy-Item -Path (Join-Path $PSScriptRoot 'ExampleFiles/*') -Destination $scratch
        Copy-Item -LiteralPath $KeyFile -Destination (Join-Path $scratch 'omapi.key')
        if ($Entry.ContainsKey('Files')) {
            foreach ($name in $Entry.Files.Keys) { Set-Content -LiteralPath (Join-Path $scratch $name) -Value $Entry.Files[$name] }
        }
        if ($Entry.ContainsKey('Environment')) { foreach ($k in $Entry.Environment.Keys) { $context.Environment[$k] = $Entry.Environment[$k] } }
        if ($Entry.ContainsKey('Setup')) { & ([scriptblock]::Create("param(`$Context)`n" + $Entry.Setup)) $context }

        switch ($Example.Pester) {
            'None' { Set-Content -LiteralPath (Join-Path $scratch 'example.ps1') -Value $Example.Code }
            'File' { Set-Content -LiteralPath (Join-Path $scratch 'example.Tests.ps1') -Value $Example.Code }
            'Fragment' {
                $body = $Example.Code
                if ($body -notmatch '(?m)^\s*It\s') {
                    # Pester runs a block's BeforeAll/AfterAll only when the block has a test.
                    $body += "`nIt 'holds the fragment''s blocks (the example has no It of its own)' { }"
                }
                $title = $Example.Title -replace "'", "''"
                Set-Content -LiteralPath (Join-Path $scratch 'example.Tests.ps1') -Value "Describe '$title' {`n$body`n}"
            }
        }
        $resultFile = Join-Path $scratch '.psomapi-example-result.json'
        $wrapper = Join-Path $scratch '.psomapi-example-run.ps1'
        Set-Content -LiteralPath $wrapper -Value (New-ExampleWrapper -Example $Example -Entry $Entry -Scratch $scratch -Repository $Repository -PesterManifest $PesterManifest -ResultFile $resultFile)

        $answers = @(if ($Entry.ContainsKey('Answers')) { $Entry.Answers })
        $stdin = Join-Path $scratch '.psomapi-example-stdin'
        Set-Content -LiteralPath $stdin -Value $answers
        $stdout = Join-Path $scratch '.psomapi-example-stdout'
        $stderr = Join-Path $scratch '.psomapi-example-stderr'
        $arguments = @('pwsh', '-NoLogo', '-NoProfile')
        # Without answers, a prompt must fail rather than wait; with them, the prompt reads them from stdin.
        if ($answers.Count -eq 0) { $arguments += '-NonInteractive' }
        $arguments += @('-File', $wrapper)
        $environment = @{}
        foreach ($k in $context.Environment.Keys) { $environment[$k] = $context.Environment[$k] }
        $start = @{
            FilePath = 'dotnet'; ArgumentList = $arguments; WorkingDirectory = $Repository; NoNewWindow = $true; PassThru = $true
            RedirectStandardInput = $stdin; RedirectStandardOutput = $stdout; RedirectStandardError = $stderr
        }
        if ($environment.Count -gt 0) { $start.Environment = $environment }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $context.Process = Start-Process @start

        $problems = [System.Collections.Generic.List[string]]::new()
        try {
            if ($Entry.ContainsKey('During')) { & ([scriptblock]::Create("param(`$Context)`n" + $Entry.During)) $context }
        }
        catch {
            $problems.Add("During: $_")
        }
        $timeout = if ($Entry.ContainsKey('TimeoutSec')) { $Entry.TimeoutSec } else { 90 }
        if ($Entry.ContainsKey('RunsUntilStopped') -and $Entry.RunsUntilStopped) {
            if ($context.Process.HasExited) { $problems.Add('The example was expected to run until stopped, but it ended.') }
            $context.Process.Kill($true)
            $context.Process.WaitForExit()
        }
        elseif (-not $context.Process.WaitForExit($timeout * 1000)) {
            $context.Process.Kill($true)
            $context.Process.WaitForExit()
            $problems.Add("The example did not end within $timeout s and was stopped.")
        }
        $context.ExitCode = $context.Process.ExitCode
        $context.Seconds = $watch.Elapsed.TotalSeconds
        $context.Output = @(Get-Content -LiteralPath $stdout, $stderr -ErrorAction SilentlyContinue)

        $runsUntilStopped = $Entry.ContainsKey('RunsUntilStopped') -and $Entry.RunsUntilStopped
        if (-not $runsUntilStopped) {
            if (-not (Test-Path -LiteralPath $resultFile)) {
                $problems.Add("The example's pwsh wrote no result (exit code $($context.ExitCode)).")
            }
            else {
                $result = Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json
                if ($result.Terminated) { $problems.Add("The example stopped with: $($result.Terminated)") }
                if ($result.After) { $problems.Add("After: $($result.After)") }
                if ($result.ExitCode -ne 0) { $problems.Add("The example exited with $($result.ExitCode).") }
                if ($Example.Pester -ne 'None') {
                    $p = $result.Pester
                    if ($p.Failed -gt 0 -or $p.FailedBlocks -gt 0 -or $p.FailedContainers -gt 0 -or $p.Passed -eq 0 -or $p.Skipped -gt 0 -or $p.NotRun -gt 0) {
                        $problems.Add("Invoke-Pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped, $($p.NotRun) not run, $($p.FailedBlocks) failed blocks, $($p.FailedContainers) failed containers. $($p.Failures -join '; ')")
                    }
                }
                else {
                    $expected = @(if ($Entry.ContainsKey('Errors')) { $Entry.Errors })
                    $errors = @($result.Errors)
                    foreach ($e in $errors) {
                        if (-not ($expected | Where-Object { $e.Id -like "$_,*" -or $e.Id -eq $_ })) {
                            $problems.Add("Unexpected error $($e.Id): $($e.Message)")
                        }
                    }
                    foreach ($id in $expected) {
                        if (-not ($errors | Where-Object { $_.Id -like "$id,*" -or $_.Id -eq $id })) {
                            $problems.Add("The example is documented to show the error $id, but it did not.")
                        }
                    }
                }
            }
            if ($answers.Count -gt 0 -and -not ($context.Output -match 'Are you sure you want to perform this action\?')) {
                $problems.Add('Answers were given, but the example did not ask for confirmation.')
            }
        }
        if ($problems.Count -eq 0 -and $Entry.ContainsKey('Check')) {
            try { & ([scriptblock]::Create("param(`$Context)`n" + $Entry.Check)) $context }
            catch { $problems.Add("Check: $_") }
        }
        if ($problems.Count -gt 0) {
            throw (($problems -join "`n") + "`n--- the example's output ---`n" + ($context.Output -join "`n"))
        }
        $context.Output
    }
    finally {
        if ($context.Process -and -not $context.Process.HasExited) { $context.Process.Kill($true) }
        if ($context.Webhook) { $context.Webhook.Close() }
        $script:Current = $null
        $resetWatch = [Diagnostics.Stopwatch]::StartNew()
        Reset-DocsWorld
        if ($env:PSOMAPI_EXAMPLES_SHOW) { Write-Host ("    (pwsh {0:n1} s, reset {1:n1} s)" -f $context.Seconds, $resetWatch.Elapsed.TotalSeconds) }
        Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-DocExampleSet, Get-ReadmeOutputExcerpt, Find-ExcerptInOutput, Invoke-DocExample, Wait-ExampleSignal,
    Start-ExampleWebhook, Receive-ExampleWebhook, Reset-DocsWorld, Wait-DocsFailoverNormal
