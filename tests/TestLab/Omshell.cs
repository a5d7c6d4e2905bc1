using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>The result of one omshell run.</summary>
/// <param name="ExitCode">omshell's exit code.</param>
/// <param name="Output">Everything omshell printed (stdout and stderr).</param>
public sealed record OmshellResult(int ExitCode, string Output)
{
    /// <summary>
    /// The <c>name = value</c> lines omshell printed after the last <c>obj:</c> line (the object after the last
    /// command), as printed: <c>00:00:00:02</c>, <c>"alpha"</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> LastObject
    {
        get
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string raw in Output.Split('\n'))
            {
                string line = raw.TrimStart('>', ' ').TrimEnd('\r');
                if (line.StartsWith("obj:", StringComparison.Ordinal))
                {
                    values.Clear();
                    continue;
                }

                int eq = line.IndexOf(" = ", StringComparison.Ordinal);
                if (eq > 0)
                {
                    values[line[..eq].Trim()] = line[(eq + 3)..].Trim();
                }
            }

            return values;
        }
    }
}

/// <summary>
/// Runs ISC <c>omshell</c> against a fixture instance: an independent OMAPI client to check what dhcpd really has.
/// Must run inside the tests' network namespace, like the instances.
/// </summary>
public static class Omshell
{
    /// <summary>The omshell binary (Debian <c>isc-dhcp-server</c>).</summary>
    public const string OmshellPath = "/usr/bin/omshell";

    /// <summary>
    /// Connects and authenticates to <paramref name="instance"/> with its key, then runs <paramref name="commands"/>
    /// (omshell syntax, one per line, e.g. <c>new lease</c>, <c>set ip-address = 198.51.100.11</c>, <c>open</c>).
    /// </summary>
    public static async Task<OmshellResult> RunAsync(DhcpdInstance instance, string commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"server {instance.Host}\n");
        script.Append(CultureInfo.InvariantCulture, $"port {instance.Port}\n");
        if (!string.Equals(instance.Algorithm, "HMAC-MD5", StringComparison.OrdinalIgnoreCase))
        {
            script.Append(CultureInfo.InvariantCulture, $"key-algorithm {instance.Algorithm.ToLowerInvariant()}\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"key {instance.KeyName} {instance.SecretBase64}\n");
        script.Append("connect\n");
        script.Append(commands.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n')).Append('\n');
        return await RunRawAsync(script.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs omshell with exactly <paramref name="script"/> on stdin (30 s timeout).</summary>
    public static async Task<OmshellResult> RunRawAsync(string script, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        var psi = new ProcessStartInfo(OmshellPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start omshell");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(script.AsMemory(), cancellationToken).ConfigureAwait(false);
        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return new OmshellResult(process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
