<#
.SYNOPSIS
    Lease lookups through PSOmapi in real pwsh, as users write them; one JSON line per measurement.
.DESCRIPTION
    Run by Omapi.Bench (bench/run.sh) inside its private network namespace, with the pinned pwsh (dotnet pwsh). The key's
    secret comes in $env:PSOMAPI_BENCH_SECRET, never on the command line. Imports the module by its manifest, connects,
    warms up, then measures each mode -Repeat times. Every mode checks what it got (count, and for the loop the address
    of each lease), so a fast wrong answer cannot pass as a result. -Mode FirstScan measures one -Range scan in this new
    process (the cost a scheduled script pays) and nothing else. With -OmshellCommands (a file of omshell lookups, no key
    in it) each round starts with one omshell run of those lookups, and a first-scan process ends with one, so that
    omshell is measured interleaved with the modes it is compared with.
#>
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Server,
    [Parameter(Mandatory)] [int] $Port,
    [Parameter(Mandatory)] [string] $KeyName,
    [Parameter(Mandatory)] [string] $AddressFile,
    [int] $Loop = 5000,
    [int] $Repeat = 3,
    [double] $WarmupSeconds = 4,
    [ValidateSet('All', 'FirstScan')] [string] $Mode = 'All',
    [string] $OmshellCommands,
    [string] $OmshellPath = '/usr/bin/omshell'
)

$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$secret = ConvertTo-SecureString -String $env:PSOMAPI_BENCH_SECRET -AsPlainText -Force
$credential = [pscredential]::new($KeyName, $secret)
$null = Connect-Omapi -Server $Server -Port $Port -Credential $credential

$addresses = [string[]] (Get-Content -LiteralPath $AddressFile)
$range = $addresses[0] + '-' + $addresses[-1]

function Write-Result([string] $Name, [int] $Count, [double] $Seconds, [string] $Problem, [string] $Tool = 'pwsh') {
    [pscustomobject]@{
        Tool    = $Tool
        Name    = $Name
        Count   = $Count
        Seconds = $Seconds
        Rate    = if ($Seconds -gt 0) { $Count / $Seconds } else { 0 }
        Problem = $Problem
    } | ConvertTo-Json -Compress | ForEach-Object { "RESULT $_" }
}

function Measure-Omshell {
    # One omshell process, its lookups written to stdin (the key only there), timed from start to exit.
    $text = "server $Server`nport $Port`nkey $KeyName $env:PSOMAPI_BENCH_SECRET`nconnect`n" + [IO.File]::ReadAllText($OmshellCommands)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($OmshellPath)
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $err = $p.StandardError.ReadToEndAsync()
    $out = $p.StandardOutput.ReadToEndAsync()
    $p.StandardInput.Write($text)
    $p.StandardInput.Close()
    $p.WaitForExit()
    $watch.Stop()
    $printed = $out.GetAwaiter().GetResult() + $err.GetAwaiter().GetResult()
    $answered = ([regex]::Matches($printed, 'ip-address = ')).Count
    $problem = if ($answered -lt $Loop) { "omshell printed $answered leases of $Loop (exit $($p.ExitCode))" }
    $p.Dispose()
    Write-Result 'new lease / set ip-address = x / open, scripted (one process)' $Loop $watch.Elapsed.TotalSeconds $problem 'omshell'
}

function Measure-Range([string] $Name) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $leases = Get-OmapiLease -Range $range
    $watch.Stop()
    $problem = if ($leases.Count -ne $addresses.Count) { "$($leases.Count) leases, expected $($addresses.Count)" }
    Write-Result $Name $leases.Count $watch.Elapsed.TotalSeconds $problem
}

if ($Mode -eq 'FirstScan') {
    Measure-Range 'Get-OmapiLease -Range (first scan in a new pwsh)'
    if ($OmshellCommands) { Measure-Omshell } # after the scan: it must not run before what it is compared with
    Disconnect-Omapi -All
    return
}

$loopStrings = [string[]] $addresses[0..($Loop - 1)]
$loopIPs = [System.Net.IPAddress[]] $loopStrings

# Warm-up, not measured: every measured command, over and over for -WarmupSeconds. "Warm" means what a long-running
# script sees: .NET compiles a new pwsh process's hot code (PowerShell's engine and this module) at full optimisation in
# the background over its first seconds of work (measured: 2,385 methods compiled during the 12 scans after a 2-scan
# warm-up, the scan rate climbing from 33,000 to 58,000/s meanwhile). The first scan in a new process is its own row.
$warmup = [System.Diagnostics.Stopwatch]::StartNew()
do {
    foreach ($ip in $loopStrings[0..499]) { $null = Get-OmapiLease -IPAddress $ip }
    foreach ($ip in $loopIPs[0..499]) { $null = Get-OmapiLease -IPAddress $ip }
    foreach ($ip in $loopStrings[0..499]) { $null = Get-OmapiSession }
    $null = Get-OmapiLease -Range $range
    Get-OmapiLease -Range $range | ForEach-Object { }
    $null = Get-OmapiLease -IPAddress $addresses
} while ($warmup.Elapsed.TotalSeconds -lt $WarmupSeconds)

for ($r = 0; $r -lt $Repeat; $r++) {
    if ($OmshellCommands) { Measure-Omshell }

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($ip in $loopStrings) { $null = Get-OmapiLease -IPAddress $ip }
    $watch.Stop()
    Write-Result 'foreach ($ip in [string[]]) { $null = Get-OmapiLease -IPAddress $ip }' $Loop $watch.Elapsed.TotalSeconds $null

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($ip in $loopIPs) { $null = Get-OmapiLease -IPAddress $ip }
    $watch.Stop()
    Write-Result 'foreach ($ip in [IPAddress[]]) { $null = Get-OmapiLease -IPAddress $ip }' $Loop $watch.Elapsed.TotalSeconds $null

    # The same loop, checked: each lease is the one asked for (outside the timed loops above).
    $problem = $null
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($ip in $loopStrings) {
        $lease = Get-OmapiLease -IPAddress $ip
        if ("$($lease.IPAddress)" -ne $ip) { $problem = "asked $ip, got $($lease.IPAddress)"; break }
    }
    $watch.Stop()
    Write-Result 'foreach ... { $lease = Get-OmapiLease -IPAddress $ip } (checked)' $Loop $watch.Elapsed.TotalSeconds $problem

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($ip in $loopStrings) { $null = Get-OmapiSession }
    $watch.Stop()
    Write-Result 'foreach ... { $null = Get-OmapiSession } (a command that sends nothing)' $Loop $watch.Elapsed.TotalSeconds $null

    Measure-Range 'Get-OmapiLease -Range (warm)'

    $ProgressPreference = 'SilentlyContinue'
    Measure-Range 'Get-OmapiLease -Range (warm, $ProgressPreference = ''SilentlyContinue'')'
    $ProgressPreference = 'Continue'

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $count = 0
    Get-OmapiLease -Range $range | ForEach-Object { $count++ }
    $watch.Stop()
    $problem = if ($count -ne $addresses.Count) { "$count leases, expected $($addresses.Count)" }
    Write-Result 'Get-OmapiLease -Range | ForEach-Object { ... } (streamed)' $count $watch.Elapsed.TotalSeconds $problem

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $leases = Get-OmapiLease -IPAddress $addresses
    $watch.Stop()
    $problem = if ($leases.Count -ne $addresses.Count) { "$($leases.Count) leases, expected $($addresses.Count)" }
    Write-Result 'Get-OmapiLease -IPAddress $addresses' $leases.Count $watch.Elapsed.TotalSeconds $problem
}

Disconnect-Omapi -All
