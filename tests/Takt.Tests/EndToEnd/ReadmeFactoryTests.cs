using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// The README's "Your own factory" is code a new user copies: its whole <c>Program.cs</c> compiles against Takt and
/// Takt.Server, and with its SQL files it builds a few days of sales, clicks split by their time and an unpartitioned
/// table of stores.
/// </summary>
public sealed partial class ReadmeFactoryTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_readme_factory_compiles_and_builds_split_and_unpartitioned_sources()
    {
        var section = Section(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), "## Your own factory");
        var programs = Blocks(section, "factories/Sales/Program.cs", "csharp");
        Assert.True(programs.Count >= 2, "the README shows the first Program.cs and the whole one");
        var sql = SqlFiles(section);
        Assert.Equal(["daily_totals.sql", "region_totals.sql", "weekly_totals.sql"], sql.Keys.Order(StringComparer.Ordinal));

        var baseDirectory = _dir.Combine("factory");
        foreach (var (name, text) in sql) Write(Path.Combine(baseDirectory, "sql", name), text);
        // The program finds its SQL files beside it; here they are in the test's folder.
        var source = programs[^1].Replace("new FactoryBuilder(\"sales\")", $"new FactoryBuilder(\"sales\", @\"{baseDirectory}\")", StringComparison.Ordinal);
        Assert.NotEqual(programs[^1], source);
        var program = Compile(source);

        var home = _dir.Combine("home");
        var landing = Path.Combine(home, "landing");
        for (var day = 1; day <= 3; day++)
            Write(Path.Combine(landing, $"sales/2026-01-0{day}.csv"), $"store,amount\nberlin,{day}.5\nparis,{day * 2}.0\n");
        Write(Path.Combine(landing, "stores.csv"), "store,region\nberlin,east\nparis,west\n");
        Directory.CreateDirectory(Path.Combine(landing, "clicks"));
        using (var duck = new DuckDBConnection("Data Source=:memory:"))
        {
            duck.Open();
            using var copy = duck.CreateCommand();
            copy.CommandText = $"""
                COPY (SELECT 'berlin' AS store, TIMESTAMP '2026-01-01 08:00' + INTERVAL (i) HOUR AS clicked_at, 'home' AS page FROM range(60) t(i))
                TO '{Path.Combine(landing, "clicks", "2026-01.parquet")}' (FORMAT parquet)
                """;
            copy.ExecuteNonQuery();
        }

        var exit = (int)program.EntryPoint!.Invoke(null, [new[] { "build", "--home", home }])!;
        Assert.Equal(0, exit);
        var versions = LedgerSnapshot.Read(home).Versions.Values.Where(v => v.Status == "committed")
            .GroupBy(v => v.Dataset).ToDictionary(g => g.Key, g => g.Select(v => v.BoxKey).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["2026-01-01", "2026-01-02", "2026-01-03"], versions["raw.clicks"]); // 60 hours from Jan 1, 08:00
        Assert.Equal(["all"], versions["raw.stores"]);
        foreach (var mart in new[] { "mart.daily_totals", "mart.weekly_totals", "mart.region_totals" })
            Assert.Equal(["2026-01-01", "2026-01-02", "2026-01-03"], versions[mart]);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Takt.slnx"))) return dir.FullName;
        throw new InvalidOperationException("no Takt.slnx above " + AppContext.BaseDirectory);
    }

    private static string Section(string readme, string heading)
    {
        var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{heading}'");
        var end = readme.IndexOf("\n## ", start + heading.Length + 2, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    [GeneratedRegex(@"`(?<file>[^`\n]+)`(?:[^\n]|\n(?!\n))*\n\n```(?<lang>\w+)\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex NamedBlock();

    /// <summary>The code blocks right after a paragraph that starts by naming <paramref name="file"/>.</summary>
    private static List<string> Blocks(string section, string file, string language) => NamedBlock().Matches(section)
        .Where(m => m.Groups["file"].Value == file && m.Groups["lang"].Value == language)
        .Select(m => m.Groups["code"].Value).ToList();

    private static Dictionary<string, string> SqlFiles(string section) => NamedBlock().Matches(section)
        .Where(m => m.Groups["lang"].Value == "sql" && m.Groups["file"].Value.StartsWith("factories/Sales/sql/", StringComparison.Ordinal))
        .ToDictionary(m => Path.GetFileName(m.Groups["file"].Value), m => m.Groups["code"].Value);

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Compiles a program as <c>dotnet build</c> would for the README's project (implicit usings, nullable, warnings as errors).</summary>
    private Assembly Compile(string program)
    {
        const string ImplicitUsings = """
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """;
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = Directory.GetFiles(framework, "*.dll")
            .Concat(new[] { "Takt.dll", "Takt.Server.dll", "System.CommandLine.dll", "Spectre.Console.dll", "Cronos.dll" }.Select(f => Path.Combine(AppContext.BaseDirectory, f)))
            .Where(IsManaged).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("Sales",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, options), CSharpSyntaxTree.ParseText(program, options, path: "Program.cs")], references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var path = _dir.Combine("Sales.dll");
        using (var file = File.Create(path))
        {
            var result = compilation.Emit(file);
            var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            Assert.True(result.Success && problems.Length == 0, "The README's Program.cs does not compile:\n" + string.Join("\n", problems.Select(p => p.ToString())));
        }
        return new AssemblyLoadContext("readme-sales", isCollectible: true).LoadFromAssemblyPath(path);
    }

    private static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }
}
