using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Omapi.Core.Benchmarks;

/// <summary>
/// Runs <see cref="CodecBenchmarks"/> with a short job in process: 1 launch, 3 warm-up and 5 measured iterations, no
/// generated project to build (so it needs no restore and runs in well under two minutes). BenchmarkDotNet's own
/// arguments pass through (e.g. <c>--filter *Verify*</c>, <c>--artifacts DIR</c>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var sizes = new CodecBenchmarks();
        sizes.Setup();
        sizes.Cleanup();
        Console.WriteLine(
            $"codec benchmarks: lease OPEN {sizes.OpenUnsignedBytes} bytes unsigned, {sizes.OpenMd5Bytes} signed (HMAC-MD5); " +
            $"lease reply {sizes.ReplyMd5Bytes} bytes signed HMAC-MD5, {sizes.ReplySha256Bytes} HMAC-SHA256");

        Console.WriteLine(
            "codec benchmarks: EncodeOpenUnsigned = OmapiCodec.Encode of a lease OPEN by IP; EncodeOpenMd5/Sha256 = the same, then signed " +
            "(signing is internal to the connection, so: Encode + HMAC over bytes 4..end + a copy with the signature, an upper bound of the " +
            "library's own path); DecodeReply = OmapiCodec.TryDecode of the signed reply; VerifyReplyMd5/Sha256 = HMAC over the frame's signed " +
            "bytes + constant-time compare; LeaseFromObject = OmapiLease.FromObject; ReplyToLease = decode + verify MD5 + FromObject.");

        Job job = Job.ShortRun
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("ShortRun-InProcess");
        // DefaultConfig already exports the GitHub-markdown table that bench/run.sh prints at the end.
        IConfig config = DefaultConfig.Instance
            .AddJob(job)
            .WithOptions(ConfigOptions.DisableLogFile);
        // Without a filter BenchmarkSwitcher would ask which benchmarks to run; run them all.
        string[] switcherArgs = Array.IndexOf(args, "--filter") >= 0 ? args : [.. args, "--filter", "*"];
        var summary = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(switcherArgs, config);
        foreach (var s in summary)
        {
            if (s.HasCriticalValidationErrors || s.Reports.Length == 0)
            {
                return 1;
            }
        }

        return 0;
    }
}
