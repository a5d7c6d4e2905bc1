using System.Runtime.CompilerServices;

namespace PSOmapi
{
    /// <summary>
    /// Omapi.Core's <c>HotPath</c> for this assembly (the core's is internal): for the few cmdlet methods every item of a
    /// bulk lookup passes through. Why, and what it was measured to do: Omapi.Core/HotPath.cs and docs/performance.md.
    /// </summary>
    internal static class HotPath
    {
        /// <summary><c>MethodImplOptions.AggressiveOptimization</c> (not in netstandard2.0; .NET Framework ignores it).</summary>
        internal const MethodImplOptions Optimize = (MethodImplOptions)512;
    }
}
