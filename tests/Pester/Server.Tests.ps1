# Invoke-OmapiRequest, failover state, Stop-OmapiServer.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSOmapiTestLab.psm1')
    Import-Module PSOmapi

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe 'Completion of Invoke-OmapiRequest -Type' {
    BeforeAll {
        $types = 'lease', 'host', 'group', 'class', 'subclass', 'failover-state', 'control', 'interface', 'pool', 'subnet', 'shared-network'
    }

    It 'offers the object types dhcpd 4.4 can open on <_>' -ForEach @('Invoke-OmapiRequest -Operation Open -Type ', 'Invoke-OmapiRequest Open ', 'Invoke-OmapiRequest Create -Type ') {
        $completions = Get-Completion $_
        $completions.CompletionText | Should -Be $types
        ($completions | Where-Object CompletionText -EQ 'host').ToolTip | Should -BeLike '*Keys: name, hardware-address*ip-address (through*'
        ($completions | Where-Object CompletionText -EQ 'pool').ToolTip | Should -BeLike '*By handle only*'
    }

    It 'narrows to what is typed' {
        (Get-Completion 'Invoke-OmapiRequest Open h').CompletionText | Should -Be 'host'
        (Get-Completion 'Invoke-OmapiRequest Open -Type fail').CompletionText | Should -Be 'failover-state'
        (Get-Completion 'Invoke-OmapiRequest Open -Type s').CompletionText | Should -Be @('subclass', 'subnet', 'shared-network')
    }

    It 'completes a type dhcpd opens' {
        $null = Connect-TestServer -Name main
        try {
            $type = (Get-Completion 'Invoke-OmapiRequest Open -Type hos').CompletionText
            $object = Invoke-OmapiRequest Open -Type $type -Values @{ name = 'fixedhost' }
            $object.Type | Should -Be 'host'
        }
        finally {
            Disconnect-Omapi -All
        }
    }
}
