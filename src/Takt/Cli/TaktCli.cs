using System.CommandLine;
using Spectre.Console;
using Takt.Definitions;

namespace Takt.Cli;

/// <summary>
/// The command line of a factory program: <c>return TaktCli.Run(() =&gt; MyFactory.Build(), args);</c>.
/// Factories add their own verbs (e.g. <c>generate</c>) through <paramref name="extend"/>.
/// </summary>
public static class TaktCli
{
    public static int Run(Func<Factory> factory, string[] args, Action<RootCommand, CliContext>? extend = null,
        IAnsiConsole? console = null, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        Func<IAnsiConsole> terminal = console is null ? TerminalConsole : () => console;
        stdout ??= System.Console.Out;
        stderr ??= System.Console.Error;
        var settings = Composition.TaktSettings.FromEnvironment();
        var context = new CliContext(factory, terminal, stdout, stderr, settings);
        var root = new RootCommand("A Takt data factory: declared datasets, immutable boxes, pull-based builds.");
        root.Options.Add(context.Home);
        root.Options.Add(context.Ledger);
        root.Options.Add(context.Lake);
        root.Options.Add(context.Landing);
        root.Options.Add(context.Executor);
        root.Options.Add(context.Json);
        root.Options.Add(context.Env);
        root.Options.Add(context.Parallelism);
        BuildCommands.Add(root, context);
        InspectCommands.Add(root, context);
        RecoveryCommands.Add(root, context);
        EnvironmentCommands.Add(root, context);
        PublishCommands.Add(root, context);
        MeasureCommands.Add(root, context);
        ProfileCommands.Add(root, context);
        RunCommands.Add(root, context);
        VerifyCommand.Add(root, context);
        extend?.Invoke(root, context);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Run with --help to see the verbs and their options.");
            return ExitCodes.Usage;
        }
        if (parse.CommandResult.Command != root && parse.Action is not System.CommandLine.Help.HelpAction) StartupWarmup.Start(terminal: console is null);
        try
        {
            using var telemetry = Telemetry.TelemetryExport.Start(settings.OtelExporter, $"takt-{parse.RootCommandResult.Command.Name}");
            var exit = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            if (context.LedgerFault is not { } fault) return exit;
            stderr.WriteLine($"error: {fault.Message}"); // reported in the background after the work was done
            return ExitCodes.ProcessingError;
        }
        catch (Exception) when (context.LedgerFault is { } fault)
        {
            stderr.WriteLine($"error: {fault.Message}"); // the ledger failed first: whatever failed after it is a consequence
            return ExitCodes.ProcessingError;
        }
        catch (Exception e) when (UsageProblem(e) is { } message)
        {
            stderr.WriteLine($"error: {message}");
            return ExitCodes.Usage;
        }
        catch (Publishing.NotPublishableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.StoppedByCheck;
        }
        catch (Exception e) when (e is Ledger.LedgerFaultException or Ledger.LedgerDataException or Publishing.PublishTargetException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.ProcessingError;
        }
        catch (Storage.StorageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.ProcessingError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Engine.EngineException or DuckDB.NET.Data.DuckDBException
            or Microsoft.Data.Sqlite.SqliteException) // a SQLite publish target's: the ledger's arrive as StorageException
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.ProcessingError;
        }
    }

    /// <summary>The process's terminal, found out about when a verb first prints (its detection takes a while; see <see cref="StartupWarmup"/>).</summary>
    private static IAnsiConsole TerminalConsole()
    {
        var console = AnsiConsole.Console;
        // Piped into a file or a CI log, tables should not wrap at the default 80 columns.
        if (System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("COLUMNS") is null) console.Profile.Width = 200;
        return console;
    }

    private static string? UsageProblem(Exception e) => e switch
    {
        UsageException or UnknownDatasetException or FormatException => e.Message,
        FactoryValidationException v => v.Message,
        ArgumentException a => a.ParamName is null ? a.Message : a.Message.Replace($" (Parameter '{a.ParamName}')", ""),
        _ => null,
    };
}
