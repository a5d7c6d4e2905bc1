@{
    # The single source of the module version: Directory.Build.props reads it into every assembly.
    ModuleVersion        = '0.1.0'
    GUID                 = '5f3c1f0e-7d4a-4b8e-9a57-2f0c6c1d9e41'
    RootModule           = 'PSOmapi.dll'
    Author               = 'The PSOmapi authors'
    CompanyName          = 'PSOmapi'
    Copyright            = '(c) The PSOmapi authors. MIT License.'
    Description          = 'Manage ISC DHCP servers (dhcpd) through OMAPI: leases, hosts, groups, classes, failover state.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    TypesToProcess       = @('PSOmapi.Types.ps1xml')
    FormatsToProcess     = @('PSOmapi.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Omapi'
        'Disconnect-Omapi'
        'Get-OmapiSession'
        'Get-OmapiLease'
        'Set-OmapiLease'
        'Get-OmapiHost'
        'New-OmapiHost'
        'Set-OmapiHost'
        'Remove-OmapiHost'
        'Get-OmapiGroup'
        'New-OmapiGroup'
        'Remove-OmapiGroup'
        'Get-OmapiClass'
        'New-OmapiClass'
        'Remove-OmapiClass'
        'Get-OmapiSubclass'
        'New-OmapiSubclass'
        'Remove-OmapiSubclass'
        'Get-OmapiFailoverState'
        'Set-OmapiFailoverState'
        'Stop-OmapiServer'
        'Invoke-OmapiRequest'
        'Register-OmapiNotify'
        'Unregister-OmapiNotify'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('DHCP', 'ISC', 'dhcpd', 'OMAPI', 'Linux', 'Windows', 'PSEdition_Core', 'PSEdition_Desktop')
            LicenseUri = 'https://opensource.org/licenses/MIT'
            # The project's address, defined here only: the build compiles it into every cmdlet's HelpUri (ModuleLinks).
            ProjectUri = 'https://github.com/PSOmapi/PSOmapi'
        }
    }
}
