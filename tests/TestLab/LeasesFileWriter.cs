using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;

namespace PSOmapi.Testing;

/// <summary>
/// Builds the text of a dhcpd leases file (<c>-lf</c>) to seed leases before dhcpd starts: dhcpd loads the
/// <c>lease { ... }</c> blocks that fall in a declared <c>range</c>. Shared by the test fixture and the benchmark; no
/// test framework in here.
/// </summary>
public sealed class LeasesFileWriter
{
    private readonly StringBuilder _text;

    /// <summary>Starts the file with one comment line.</summary>
    /// <param name="comment">The comment, without the leading <c>#</c>.</param>
    /// <param name="capacity">The expected size in characters (about 300 per lease).</param>
    public LeasesFileWriter(string comment, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(comment);
        _text = new StringBuilder(capacity);
        _text.Append("# ").Append(comment).Append('\n');
    }

    /// <summary>
    /// Appends a <c>lease</c> block. Its <c>cltt</c> is <paramref name="startsUtc"/> and its <c>tstp</c> is the
    /// <c>ends</c>; an <c>active</c> lease gets <c>next binding state free;</c>.
    /// </summary>
    /// <param name="address">The leased address.</param>
    /// <param name="startsUtc">The <c>starts</c> time (UTC).</param>
    /// <param name="endsUtc">The <c>ends</c> time (UTC), or null for <c>ends never;</c>.</param>
    /// <param name="bindingState">The <c>binding state</c>: <c>free</c>, <c>active</c>, <c>expired</c>, ...</param>
    /// <param name="hardwareAddress">The <c>hardware ethernet</c> address (<c>00:11:22:33:44:55</c>), or null.</param>
    /// <param name="uid">The <c>uid</c> (client identifier) bytes, or null.</param>
    /// <param name="clientHostname">The <c>client-hostname</c> (ASCII), or null.</param>
    /// <param name="billingClass">The class the lease is billed to (<c>billing class "name";</c>; the class needs a
    /// <c>lease limit</c> in dhcpd.conf), or null.</param>
    public void AddLease(
        IPAddress address,
        DateTime startsUtc,
        DateTime? endsUtc,
        string bindingState,
        string? hardwareAddress,
        IEnumerable<byte>? uid,
        string? clientHostname,
        string? billingClass = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(bindingState);
        StringBuilder sb = _text;
        string ends = endsUtc is { } e ? FormatTime(e) : "never";
        sb.Append(CultureInfo.InvariantCulture, $"lease {address} {{\n");
        sb.Append(CultureInfo.InvariantCulture, $"  starts {FormatTime(startsUtc)};\n");
        sb.Append(CultureInfo.InvariantCulture, $"  ends {ends};\n");
        sb.Append(CultureInfo.InvariantCulture, $"  tstp {ends};\n");
        sb.Append(CultureInfo.InvariantCulture, $"  cltt {FormatTime(startsUtc)};\n");
        sb.Append(CultureInfo.InvariantCulture, $"  binding state {bindingState};\n");
        if (bindingState == "active")
        {
            sb.Append("  next binding state free;\n");
        }

        if (hardwareAddress is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  hardware ethernet {hardwareAddress};\n");
        }

        if (uid is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  uid {QuoteBytes(uid)};\n");
        }

        if (clientHostname is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  client-hostname {QuoteBytes(Encoding.ASCII.GetBytes(clientHostname))};\n");
        }

        if (billingClass is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  billing class {QuoteBytes(Encoding.ASCII.GetBytes(billingClass))};\n");
        }

        sb.Append("}\n");
    }

    /// <summary>Appends declarations as they are (a <c>failover peer "name" state { ... }</c> block, for example).</summary>
    /// <param name="declarations">Leases-file text, ending with a newline.</param>
    public void AddRaw(string declarations)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        _text.Append(declarations);
    }

    /// <summary>The file's text so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>dhcpd's leases-file time format: weekday (0 = Sunday), then UTC date and time.</summary>
    public static string FormatTime(DateTime utc) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)utc.DayOfWeek} {utc:yyyy'/'MM'/'dd HH':'mm':'ss}");

    /// <summary>A dhcpd string literal: printable ASCII as is, everything else (and quote, backslash) as octal escapes.</summary>
    public static string QuoteBytes(IEnumerable<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var sb = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'"' && b != (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
            }
        }

        return sb.Append('"').ToString();
    }
}
