using System.CommandLine;
using Spectre.Console;
using Takt.Lake;

namespace Takt.Cli;

/// <summary><c>verify</c>: are the files of every version in use in the lake, as the ledger recorded them?</summary>
internal static class VerifyCommand
{
    public static void Add(RootCommand root, CliContext context) => root.Subcommands.Add(Verify(context));

    private static Command Verify(CliContext context)
    {
        var deep = new Option<bool>("--deep") { Description = "Also read every file and compare its SHA-256 with the recorded one" };
        var command = new Command("verify",
            "Check that every version in use has its files in the lake with their recorded sizes (and checksums with --deep); " +
            "mark what is lost, so that the next build makes it again. Exit 3 when something is lost") { deep };
        command.SetAction(parse =>
        {
            var env = context.EnvironmentGiven(parse) ? context.EnvironmentName(parse) : null;
            using var ws = context.OpenWorkspace(parse, mustExist: env is not null);
            var result = new LakeVerifier(ws.Ledger, ws.Lake, ws.Files).Verify(env, parse.GetValue(deep), context.RunOptions(parse).Parallelism);
            if (parse.GetValue(context.Json)) context.WriteJson(result);
            else Print(context.Console, result);
            return result.Problems.Count == 0 ? ExitCodes.Ok : ExitCodes.ProcessingError;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, VerifyResult r)
    {
        var scope = r.Env is null ? "every environment" : $"environment {r.Env}";
        var what = r.Deep ? "sizes and SHA-256" : "sizes";
        console.MarkupLineInterpolated($"verified {r.Versions} version(s) in use in {scope}: {r.Files} file(s), {r.Bytes / 1024.0 / 1024.0:0.0} MiB ({what})");
        if (r.Recorded > 0)
            console.MarkupLineInterpolated($"[grey]recorded the files of {r.Recorded} version(s) committed before the ledger kept file records[/]");
        foreach (var p in r.Problems)
        {
            var envs = p.Environments.Count == 0 ? "" : $" ({string.Join(", ", p.Environments)})";
            console.MarkupLineInterpolated($"[red]{p.Dataset}@{p.Box} version {p.Version}[/]{envs}: {p.Problem}{(p.AlreadyLost ? " [grey](already marked lost)[/]" : "")}");
        }
        if (r.Problems.Count > 0)
            console.MarkupLineInterpolated($"{r.Problems.Select(p => p.Version).Distinct().Count()} version(s) lost; {r.BoxesMarked} box(es) newly marked: the next build makes them again.");
    }
}
