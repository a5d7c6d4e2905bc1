# Connect-Omapi, Disconnect-Omapi, Get-OmapiSession: completion of sessions and their ids, and the errors of a missing
# session or key file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe 'Completion of -Session' {
    BeforeAll {
        Disconnect-Omapi -All
        $main = Connect-TestServer -Name main
        $docs = Connect-TestServer -Name docs
        $expected = @("(Get-OmapiSession -Id $($main.Id))", "(Get-OmapiSession -Id $($docs.Id))")
    }
    AfterAll {
        Disconnect-Omapi -All
    }

    It 'offers the open sessions on <_> -Session, each completing to text that binds to it' -ForEach @(
        Get-Command -Module PSOmapi | Where-Object { $_.Parameters.ContainsKey('Session') } | ForEach-Object Name
    ) {
        $completions = Get-Completion "$_ -Session "
        $completions.CompletionText | Should -Be $expected
        $completions[0].ListItemText | Should -BeLike "$($main.Id) omapi://*:$($main.Port)*"
        (Invoke-Expression $completions[0].CompletionText).Id | Should -Be $main.Id
        (Invoke-Expression $completions[1].CompletionText).Id | Should -Be $docs.Id
    }

    It 'narrows to the session whose id, server or address is typed' {
        (Get-Completion "Get-OmapiLease -Session $($main.Id)").CompletionText | Should -Be "(Get-OmapiSession -Id $($main.Id))"
        (Get-Completion "Get-OmapiLease -Session omapi://127.0.0.1:$($docs.Port)").CompletionText | Should -Be "(Get-OmapiSession -Id $($docs.Id))"
        Get-Completion 'Get-OmapiLease -Session no-such-server' | Should -BeNullOrEmpty
    }

    It 'binds: the completed session, not the default one, is used' {
        # docs is the default (connected last); the seeded lease 198.51.100.11 exists only on main.
        (Get-OmapiSession -Default).Id | Should -Be $docs.Id
        $text = (Get-Completion "Get-OmapiLease -IPAddress 198.51.100.11 -Session $($main.Id)").CompletionText
        $lease = Invoke-Expression "Get-OmapiLease -IPAddress 198.51.100.11 -Session $text"
        "$($lease.IPAddress)" | Should -Be '198.51.100.11'
    }

    It 'offers no closed session, and no file names when there is no session' {
        $other = Connect-TestServer -Name main
        Disconnect-Omapi -Session $other
        (Get-Completion 'Get-OmapiLease -Session ').CompletionText | Should -Not -Contain "(Get-OmapiSession -Id $($other.Id))"
        Push-Location $TestDrive
        try {
            Set-Content -Path (Join-Path $TestDrive 'a-file.txt') -Value 'not a session'
            Disconnect-Omapi -All
            Get-Completion 'Get-OmapiLease -Session ' | Should -BeNullOrEmpty
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'Completion of -Id' {
    BeforeAll {
        Disconnect-Omapi -All
        $first = Connect-TestServer -Name main
        $second = Connect-TestServer -Name main
    }
    AfterAll {
        Disconnect-Omapi -All
    }

    It 'offers the session ids on <_>' -ForEach @('Get-OmapiSession -Id ', 'Get-OmapiSession ', 'Disconnect-Omapi -Id ') {
        $completions = Get-Completion $_
        $completions.CompletionText | Should -Be @("$($first.Id)", "$($second.Id)")
        $completions[1].ToolTip | Should -BeLike "Session $($second.Id): omapi://*, the default session*"
    }

    It 'completes an id that Disconnect-Omapi -Id accepts' {
        $id = (Get-Completion "Disconnect-Omapi -Id $($first.Id)").CompletionText
        $id | Should -Be "$($first.Id)"
        Invoke-Expression "Disconnect-Omapi -Id $id"
        (Get-OmapiSession).Id | Should -Be @($second.Id)
    }
}

Describe 'A missing session is NoSession, an InvalidOperationException that says to connect' {
    BeforeEach {
        Disconnect-Omapi -All
    }

    It 'without any session' {
        $record = { Get-OmapiLease -IPAddress 198.51.100.11 } | Should -Throw -ErrorId 'NoSession,PSOmapi.GetOmapiLeaseCommand' -PassThru
        $record.Exception | Should -BeOfType [System.InvalidOperationException]
        $record.Exception.GetType().FullName | Should -Not -Be 'System.ArgumentException'
        $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $record.CategoryInfo.Reason | Should -Be 'InvalidOperationException'
        $record.TargetObject | Should -Be 'default OMAPI session'
        $record.Exception.Message | Should -BeLike '*no OMAPI session in this runspace*run Connect-Omapi first*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike 'Run Connect-Omapi -Server *'
    }

    It 'with a session closed by Disconnect-Omapi' {
        $closed = Connect-TestServer
        Disconnect-Omapi -Session $closed
        $record = { Get-OmapiHost -Name fixedhost -Session $closed } | Should -Throw -ErrorId 'NoSession,*' -PassThru
        $record.Exception | Should -BeOfType [System.InvalidOperationException]
        $record.TargetObject.Id | Should -Be $closed.Id
        $record.Exception.Message | Should -BeLike "*(id $($closed.Id)) was closed by Disconnect-Omapi: run Connect-Omapi again*"
    }

    It 'with an id that names no session (Disconnect-Omapi -Id)' {
        $record = { Disconnect-Omapi -Id 987654 -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,PSOmapi.DisconnectOmapiCommand' -PassThru
        $record.Exception | Should -BeOfType [System.InvalidOperationException]
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be 987654
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Get-OmapiSession*'
    }

    It 'with nothing to disconnect' {
        $record = { Disconnect-Omapi -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,*' -PassThru
        $record.Exception | Should -BeOfType [System.InvalidOperationException]
        $record.TargetObject | Should -Be 'default OMAPI session'
    }
}

Describe 'Connect-Omapi -KeyFile errors name the file' {
    It 'a file that does not exist is KeyFileNotFound, with its full path' {
        $missing = Join-Path $TestDrive 'no-such.key'
        $record = { Connect-Omapi -Server 127.0.0.1 -KeyFile $missing } | Should -Throw -ErrorId 'KeyFileNotFound,PSOmapi.ConnectOmapiCommand' -PassThru
        $record.Exception | Should -BeOfType [System.IO.FileNotFoundException]
        $record.Exception.FileName | Should -Be $missing
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be $missing
        $record.Exception.Message | Should -Be "The key file '$missing' does not exist."
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*key block*-Credential*'
    }

    It 'a relative path in a folder that does not exist is KeyFileNotFound, resolved against the current location' {
        Push-Location $TestDrive
        try {
            $record = { Connect-Omapi -Server 127.0.0.1 -KeyFile 'no-such-folder/omapi.key' } | Should -Throw -ErrorId 'KeyFileNotFound,*' -PassThru
            $record.TargetObject | Should -Be (Join-Path $TestDrive 'no-such-folder/omapi.key')
        }
        finally {
            Pop-Location
        }
    }

    It 'a folder given as key file is InvalidKeyFile (ReadError), with the real exception' {
        $record = { Connect-Omapi -Server 127.0.0.1 -KeyFile $TestDrive } | Should -Throw -ErrorId 'InvalidKeyFile,*' -PassThru
        $record.CategoryInfo.Category | Should -Be 'ReadError'
        $record.Exception.GetType().FullName | Should -Not -Be 'System.ArgumentException'
        $record.TargetObject | Should -Be $TestDrive
        $record.ErrorDetails.Message | Should -BeLike "Cannot read the key file '$TestDrive'*"
    }
}
