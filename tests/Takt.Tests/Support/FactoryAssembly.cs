using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Takt.Definitions;

namespace Takt.Tests.Support;

/// <summary>
/// Compiles C# source that references Takt into an assembly file with Roslyn, as <c>dotnet build</c> would (release,
/// deterministic), and loads it into a context of its own, so two builds of the same assembly can live side by side.
/// </summary>
internal static class FactoryAssembly
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return Directory.GetFiles(framework, "*.dll")
            .Where(IsManaged)
            .Append(typeof(Factory).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    public static Assembly Compile(string directory, string assemblyName, string source, OptimizationLevel optimization = OptimizationLevel.Release)
    {
        var syntax = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: assemblyName + ".cs");
        var compilation = CSharpCompilation.Create(assemblyName, [syntax], References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: optimization, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, assemblyName + ".dll");
        using (var file = File.Create(path))
        {
            var result = compilation.Emit(file);
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (!result.Success) throw new InvalidOperationException("The test's source does not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())));
        }
        return new AssemblyLoadContext($"{assemblyName}@{directory}", isCollectible: true).LoadFromAssemblyPath(path);
    }

    /// <summary>Calls the public static <c>Build(string baseDirectory)</c> of <paramref name="typeName"/> in the assembly.</summary>
    public static Factory BuildFactory(Assembly assembly, string typeName, string baseDirectory) =>
        (Factory)assembly.GetType(typeName, throwOnError: true)!.GetMethod("Build", [typeof(string)])!.Invoke(null, [baseDirectory])!;

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
