using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace IrisBatch
{
    /// <summary>
    /// Compiles named per-row methods (marked <see cref="Hot.Path"/>, so compiled optimized, not taken from the
    /// precompiled image) on a thread of its own, while the command's own thread is still setting up: reading the
    /// journal, the result index, opening files. Otherwise the threads that read and emit the first result compile
    /// them, one after the other, before that result comes (about 40 of the 110 ms a new session's first
    /// Get-IrisBatchResult -IncludeInput took to its first row). Only methods the command is about to run are named,
    /// each once per session: a method compiled here is not compiled again where it is first called, and one being
    /// compiled here when first called is waited for, not compiled twice. Best effort: a name not found is skipped.
    /// </summary>
    internal static class Warmup
    {
        private static readonly HashSet<string> Started = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// Listed among a type's names: its static fields are set up here too (a type whose set-up compiles a delegate, say,
        /// would otherwise do it on the command's thread when the first result comes).
        /// </summary>
        public const string TypeInitializer = ".cctor";

        /// <summary>
        /// Starts compiling the methods with these names, unless the set <paramref name="key"/> was started before (then
        /// false). The names are listed (<paramref name="methods"/>) and found on the new thread too.
        /// </summary>
        public static bool Start(string key, Func<(Type Type, string[] Names)[]> methods)
        {
            lock (Started)
                if (!Started.Add(key)) return false;
            var thread = new Thread(() =>
            {
                (Type Type, string[] Names)[] list;
                try { list = methods(); }
                catch (Exception) { return; }
                foreach (var (type, names) in list)
                    foreach (var method in Find(type, names))
                    {
                        try { RuntimeHelpers.PrepareMethod(method.MethodHandle); }
                        catch (Exception) { }   // compiled where it is first called instead
                    }
                // Then the types' static set-up, which the first result needs later than the methods that read it.
                foreach (var (type, names) in list)
                    if (Array.IndexOf(names, TypeInitializer) >= 0 && type.TypeInitializer != null)
                    {
                        try { RuntimeHelpers.RunClassConstructor(type.TypeHandle); }
                        catch (Exception) { }   // run, and fail again, where the type is first used
                    }
            })
            { IsBackground = true, Name = "IrisBatch warm-up" };
            thread.Start();
            return true;
        }

        /// <summary>The names that name no method of their type (for the tests: a renamed method must be renamed here too).</summary>
        public static List<string> Missing(params (Type Type, string[] Names)[] methods)
        {
            var missing = new List<string>();
            foreach (var (type, names) in methods)
                foreach (var name in names)
                    if (name == TypeInitializer ? type.TypeInitializer == null : Find(type, new[] { name }).Count == 0) missing.Add(type.FullName + "." + name);
            return missing;
        }

        /// <summary>The methods declared by the type with these names (all overloads), not generic.</summary>
        internal static List<MethodBase> Find(Type type, string[] names)
        {
            var found = new List<MethodBase>();
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var m in type.GetMethods(all))
                if (!m.ContainsGenericParameters && Array.IndexOf(names, m.Name) >= 0) found.Add(m);
            return found;
        }
    }
}
