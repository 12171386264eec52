using Mono.Cecil;

namespace Takt.Tests.Architecture;

/// <summary>
/// Configuration is read in one place, the composition root (<c>Takt.Composition</c>): a second ledger or lake is
/// configured there, and nothing deep inside changes its behaviour because of a variable nobody sees.
/// </summary>
public sealed class EnvironmentReadTests
{
    /// <summary>Reads that are not configuration, and why.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["Takt.Running.FaultInjection"] = "test hooks (TAKT_CRASH_AT, TAKT_PAUSE_AT): a test makes the process die or wait at a named point",
        ["Takt.Cli.TaktCli"] = "COLUMNS: the terminal's width, for the tables it prints",
    };

    [Fact]
    public void Only_the_composition_root_reads_environment_variables()
    {
        var readers = new List<string>();
        foreach (var path in new[] { typeof(Definitions.Factory).Assembly.Location, typeof(Server.DashboardServer).Assembly.Location })
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes())
            {
                var outer = type;
                while (outer.DeclaringType is not null) outer = outer.DeclaringType;
                if (outer.Namespace == "Takt.Composition" || Allowed.ContainsKey(outer.FullName)) continue;
                foreach (var method in type.Methods.Where(m => m.HasBody))
                    if (method.Body.Instructions.Any(i => i.Operand is MethodReference { Name: "GetEnvironmentVariable" or "GetEnvironmentVariables", DeclaringType.FullName: "System.Environment" }))
                        readers.Add($"{outer.FullName}.{method.Name}");
            }
        }
        Assert.True(readers.Count == 0, "environment variables read outside Takt.Composition (read them in TaktSettings and pass the value): " + string.Join(", ", readers.Distinct()));
    }
}
