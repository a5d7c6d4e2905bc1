<#
.SYNOPSIS
    Shows a PowerShell script as if it were typed at the prompt: each statement as "PS> ...", then its output.

.DESCRIPTION
    demo/run.sh runs it (through demo/DemoHost) with the repository's pinned pwsh (dotnet pwsh), output redirected,
    so pwsh formats for 80 columns as in a standard terminal; the README's excerpts come from this output.

    Comments before a statement are shown as typed comments, and a comment after a statement on its last line as part
    of it. A comment line starting with "#!" is a direction to this
    script and is not shown: "#! expect ErrorId" means the next statement is meant to fail with that ErrorId (the demo
    shows an error on purpose). Any other error, or an expected error that does not come, makes the exit code 1.

.EXAMPLE
    dotnet pwsh -NoProfile -File demo/Show-Demo.ps1 -Path demo/QuickStart.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $Path
)

# Plain text, as a log or a terminal without colours shows it.
if ($null -ne $PSStyle) {
    $PSStyle.OutputRendering = 'PlainText'
}

$tokens = $null
$parseErrors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $parseErrors)
if ($parseErrors.Count -gt 0) {
    throw "$Path does not parse: $($parseErrors[0].Message) (line $($parseErrors[0].Extent.StartLineNumber))"
}

$comments = @($tokens | Where-Object { $_.Kind -eq 'Comment' })
$failures = 0
$shownUpTo = 0
foreach ($statement in $ast.EndBlock.Statements) {
    $expect = $null
    foreach ($comment in $comments) {
        $at = $comment.Extent.StartOffset
        if ($at -lt $shownUpTo -or $at -ge $statement.Extent.StartOffset) {
            continue
        }

        if ($comment.Text -match '^#!\s*expect\s+(\w+)') {
            $expect = $Matches[1]
        }
        elseif ($comment.Text -notmatch '^#!') {
            $Host.UI.WriteLine('PS> ' + $comment.Text)
        }
    }

    # A comment after the statement on its last line is shown with it, as it was typed.
    $endOffset = $statement.Extent.EndOffset
    foreach ($comment in $comments) {
        if ($comment.Extent.StartOffset -ge $endOffset -and $comment.Extent.StartLineNumber -eq $statement.Extent.EndLineNumber) {
            $endOffset = $comment.Extent.EndOffset
        }
    }
    $shownUpTo = $endOffset
    $typed = $ast.Extent.Text.Substring($statement.Extent.StartOffset, $endOffset - $statement.Extent.StartOffset)
    $lines = $typed -split "`r?`n"
    $Host.UI.WriteLine('PS> ' + $lines[0])
    for ($i = 1; $i -lt $lines.Count; $i++) {
        $Host.UI.WriteLine('>> ' + $lines[$i])
    }

    $before = $Error.Count
    try {
        # Dot-sourced, so that variables the statement sets are there for the next ones, as at the prompt.
        . ([scriptblock]::Create($statement.Extent.Text)) *>&1 | Out-Default
    }
    catch {
        $_ | Out-Default
    }

    $new = @()
    if ($Error.Count -gt $before) {
        $new = @($Error[0..($Error.Count - $before - 1)])
    }

    if ($expect) {
        $unexpected = @($new | Where-Object { $_.FullyQualifiedErrorId -notlike "$expect,*" })
        if ($new.Count -eq 0 -or $unexpected.Count -gt 0) {
            $failures++
            $Host.UI.WriteErrorLine("demo: expected the error $expect from: $($lines[0])")
        }
    }
    elseif ($new.Count -gt 0) {
        $failures++
        $Host.UI.WriteErrorLine("demo: unexpected error from: $($lines[0]) ($($new[0].FullyQualifiedErrorId))")
    }

    $Host.UI.WriteLine('')
}

if ($failures -gt 0) {
    exit 1
}

exit 0
