using System.Runtime.CompilerServices;
using Xunit;

namespace IrisBatch.Tests.Core;

/// <summary>
/// Compiling ahead (Get-IrisBatchResult starts it while it finds its batches): the optimized methods of the types
/// given and of their nested types, and nothing that needs type arguments, which cannot be compiled before it has them.
/// </summary>
public sealed class CompileAheadTests
{
    private sealed class Reader
    {
        [MethodImpl(Hot.Path)] public int Row(int i) => i + 1;
        [MethodImpl(Hot.Path)] public static int Line(int i) => i * 2;
        public int NotHot(int i) => i - 1;
        [MethodImpl(Hot.Path)] public T Generic<T>(T value) => value;

        public sealed class Part
        {
            [MethodImpl(Hot.Path)] private int Inner(int i) => i;
        }
    }

    private sealed class Open<T>
    {
        [MethodImpl(Hot.Path)] public T Same(T value) => value;
    }

    private ref struct Scanner
    {
        private int _pos;
        [MethodImpl(Hot.Path)] public int Next() => ++_pos;
    }

    [Fact]
    public void Compiles_the_optimized_methods_of_the_types_and_their_nested_types_and_skips_what_needs_type_arguments()
    {
        Assert.Equal(3, CompileAhead.Compile(new[] { typeof(Reader) }));
        Assert.Equal(0, CompileAhead.Compile(new[] { typeof(Open<>) }));
        Assert.Equal(1, CompileAhead.Compile(new[] { typeof(Scanner) }));
        Assert.Equal(4, CompileAhead.Compile(new[] { typeof(Reader), typeof(Scanner) }));
    }
}
