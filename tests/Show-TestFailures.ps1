<#
.SYNOPSIS
    Prints every failed test of a run (xunit TRX and Pester NUnit XML) with the start of its message and stack.

.DESCRIPTION
    run-tests.sh calls this at the end of a run that had failures, so that the last lines of a CI log name the failed
    tests and say why, even when only the tail of the log is kept.
#>
param(
    [Parameter(Mandatory)] [string] $ResultsDirectory,
    [int] $Lines = 12
)

function Write-Failure([string] $Source, [string] $Name, [string] $Message, [string] $Stack) {
    Write-Output "--- FAILED ($Source): $Name"
    $text = @($Message, $Stack) -join "`n"
    $kept = @($text -split "`r?`n" | Where-Object { $_.Trim() })
    $kept | Select-Object -First $Lines | ForEach-Object { Write-Output "    $_" }
    if ($kept.Count -gt $Lines) { Write-Output "    ... ($($kept.Count - $Lines) more lines in the results file)" }
}

foreach ($trx in Get-ChildItem -LiteralPath $ResultsDirectory -Filter *.trx -ErrorAction SilentlyContinue) {
    $doc = [xml](Get-Content -LiteralPath $trx.FullName -Raw)
    $ns = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
    $ns.AddNamespace('t', $doc.DocumentElement.NamespaceURI)
    foreach ($result in $doc.SelectNodes("//t:UnitTestResult[@outcome='Failed' or @outcome='Error' or @outcome='Timeout' or @outcome='Aborted']", $ns)) {
        $message = $result.SelectSingleNode('t:Output/t:ErrorInfo/t:Message', $ns)
        $stack = $result.SelectSingleNode('t:Output/t:ErrorInfo/t:StackTrace', $ns)
        Write-Failure $trx.BaseName $result.testName $message.InnerText $stack.InnerText
    }
}

foreach ($xml in Get-ChildItem -LiteralPath $ResultsDirectory -Filter 'pester*.xml' -ErrorAction SilentlyContinue) {
    $doc = [xml](Get-Content -LiteralPath $xml.FullName -Raw)
    foreach ($case in $doc.SelectNodes("//test-case[@result='Failure' or @result='Error']")) {
        $message = $case.SelectSingleNode('failure/message')
        $stack = $case.SelectSingleNode('failure/stack-trace')
        Write-Failure "Pester, $($xml.BaseName)" $case.name $message.InnerText $stack.InnerText
    }
}
