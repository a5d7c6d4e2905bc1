using System;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// A family of server objects dhcpd looks up by name alone (groups, classes, failover peers): what the family's Get-
    /// and Remove- cmdlets need to know of it, in one place, so that those cmdlets differ only in their names, help and
    /// output type (<see cref="GetNamedObjectCommand{T}"/>, <see cref="RemoveNamedObjectCommand{T}"/>).
    /// </summary>
    /// <typeparam name="T">The object type the family's Get- cmdlet returns.</typeparam>
    internal sealed class NamedObjectKind<T>
        where T : class, IOmapiObject
    {
        private readonly Func<OmapiSession, string, CancellationToken, Task<T>> _lookUp;
        private readonly Func<T, string?> _name;

        internal NamedObjectKind(string noun, string notFoundId, string existsId, Func<OmapiSession, string, CancellationToken, Task<T>> lookUp, Func<T, string?> name)
        {
            Noun = noun;
            NotFoundId = notFoundId;
            ExistsId = existsId;
            _lookUp = lookUp;
            _name = name;
        }

        /// <summary>The object kind as users read it in messages: "group", "class".</summary>
        internal string Noun { get; }

        /// <summary>The ErrorId when the object does not exist.</summary>
        internal string NotFoundId { get; }

        /// <summary>The ErrorId when the object already exists.</summary>
        internal string ExistsId { get; }

        /// <summary>Looks the object up by name.</summary>
        internal Task<T> LookUpAsync(OmapiSession session, string name, CancellationToken cancellationToken) => _lookUp(session, name, cancellationToken);

        /// <summary>The object's name (null when dhcpd did not send one).</summary>
        internal string? NameOf(T item) => _name(item);
    }

    /// <summary>The name-keyed families.</summary>
    internal static class NamedObjectKinds
    {
        /// <summary>Classes (Get-OmapiClass, Remove-OmapiClass).</summary>
        internal static readonly NamedObjectKind<OmapiClass> Class = new NamedObjectKind<OmapiClass>(
            "class", ErrorIds.ClassNotFound, ErrorIds.ClassAlreadyExists, (s, name, ct) => s.GetClassAsync(name, ct), c => c.Name);

        /// <summary>Named groups (Get-OmapiGroup, Remove-OmapiGroup).</summary>
        internal static readonly NamedObjectKind<OmapiGroup> Group = new NamedObjectKind<OmapiGroup>(
            "group", ErrorIds.GroupNotFound, ErrorIds.GroupAlreadyExists, (s, name, ct) => s.GetGroupAsync(name, ct), g => g.Name);

        /// <summary>Failover peers (Get-OmapiFailoverState); dhcpd has no "already exists" of its own for them.</summary>
        internal static readonly NamedObjectKind<OmapiFailoverState> FailoverState = new NamedObjectKind<OmapiFailoverState>(
            "failover peer", ErrorIds.FailoverStateNotFound, ErrorIds.ObjectAlreadyExists, (s, name, ct) => s.GetFailoverStateAsync(name, ct), f => f.Name);
    }
}
