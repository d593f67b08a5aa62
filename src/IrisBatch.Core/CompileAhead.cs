using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace IrisBatch
{
    /// <summary>
    /// Compiles the <see cref="Hot.Path"/> methods of some types on a background thread, once per process. A command
    /// that reads results first finds its batch in the journal on the pipeline's thread, while the other cores wait;
    /// the readers it then starts would each compile their optimized methods on first call, before the first row.
    /// Compiled here first, they are ready when called (a method is compiled once, whichever thread asks). Best
    /// effort: a method that cannot be compiled ahead is compiled when first called, as it would be anyway.
    /// </summary>
    internal static class CompileAhead
    {
        private static int _started;

        /// <summary>Starts compiling, the first time it is called in this process; later calls do nothing.</summary>
        public static void Start(params Type[] types)
        {
            if (Interlocked.Exchange(ref _started, 1) != 0) return;
            var thread = new Thread(() => Compile(types)) { IsBackground = true, Name = "IrisBatch compile ahead" };
            thread.Start();
        }

        /// <summary>Compiles the types' (and their nested types') optimized methods that need no type arguments; returns how many.</summary>
        internal static int Compile(Type[] types)
        {
            int compiled = 0;
            var pending = new Stack<Type>(types);
            while (pending.Count > 0)
            {
                var type = pending.Pop();
                if (type.ContainsGenericParameters) continue;
                foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)) pending.Push(nested);
                const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
                foreach (var method in type.GetMethods(all))
                {
                    if ((method.MethodImplementationFlags & (MethodImplAttributes)512) == 0 || method.IsAbstract || method.ContainsGenericParameters) continue;
                    try
                    {
                        RuntimeHelpers.PrepareMethod(method.MethodHandle);
                        compiled++;
                    }
                    catch (Exception) { /* compiled when first called instead */ }
                }
            }
            return compiled;
        }
    }
}
