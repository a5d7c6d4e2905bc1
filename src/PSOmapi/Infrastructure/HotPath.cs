using System.Runtime.CompilerServices;

namespace PSOmapi
{
    /// <summary>
    /// For the methods every item of a bulk lookup passes through: compiled fully optimised at their first call instead of
    /// starting unoptimised and waiting for tiered compilation. A first scan in a new process runs its 10,000 items through
    /// them before .NET would have optimised them (it waits until the process has compiled no new method for 100 ms, then
    /// for 30 calls, then compiles in the background); measured in real pwsh: the first scan 11 % faster, warm scans the same
    /// (docs/performance.md). Not for anything else: such methods give up .NET's profile-guided optimisation.
    /// </summary>
    internal static class HotPath
    {
        /// <summary><c>MethodImplOptions.AggressiveOptimization</c> (not in netstandard2.0; .NET Framework ignores it).</summary>
        internal const MethodImplOptions Optimize = (MethodImplOptions)512;
    }
}
