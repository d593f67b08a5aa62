using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace IrisBatch
{
    /// <summary>
    /// The short type names users write for the module's output types, as issue 2 names them: [IrisBatch] (the batch
    /// status object, IrisBatch.IrisBatchInfo), [IrisBatchRequest] and [IrisBatchResult]. They are PowerShell type
    /// accelerators, added on import and removed with the module; a name already taken by something else is left alone.
    /// PowerShell has no public API for accelerators, so its TypeAccelerators class is reached by reflection (once, on
    /// import); if that fails the module works as before, with the full names only.
    /// </summary>
    internal static class TypeNames
    {
        private static readonly KeyValuePair<string, Type>[] Names =
        {
            new KeyValuePair<string, Type>("IrisBatch", typeof(IrisBatchInfo)),
            new KeyValuePair<string, Type>("IrisBatchRequest", typeof(IrisBatchRequest)),
            new KeyValuePair<string, Type>("IrisBatchResult", typeof(IrisBatchResult)),
        };

        private static readonly List<string> Added = new List<string>();

        private static Type? Accelerators => typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

        public static void Add()
        {
            try
            {
                var accelerators = Accelerators;
                var add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null);
                var get = accelerators?.GetProperty("Get", BindingFlags.Public | BindingFlags.Static);
                if (add == null || get == null || !(get.GetValue(null) is IDictionary<string, Type> existing)) return;
                foreach (var name in Names)
                {
                    if (existing.TryGetValue(name.Key, out var taken) && taken != name.Value) continue;
                    add.Invoke(null, new object[] { name.Key, name.Value });
                    lock (Added) Added.Add(name.Key);
                }
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is MemberAccessException || ex is InvalidOperationException)
            {
                // Without the short names the full ones still work.
            }
        }

        public static void Remove()
        {
            try
            {
                var remove = Accelerators?.GetMethod("Remove", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);
                if (remove == null) return;
                lock (Added)
                {
                    foreach (var name in Added) remove.Invoke(null, new object[] { name });
                    Added.Clear();
                }
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is MemberAccessException || ex is InvalidOperationException)
            {
            }
        }
    }
}
