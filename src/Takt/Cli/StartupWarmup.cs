using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Takt.Cli;

/// <summary>
/// The first time a process runs a command, loads on a spare core what the verb needs right after the main thread has
/// parsed the command line and declared the factory: SQLite's native library and Microsoft.Data.Sqlite's code (the
/// ledger), Spectre.Console's terminal detection (the output) and System.Text.Json's serializer (the run's summary and
/// <c>--json</c>). The main thread then finds them loaded instead of loading them one after the other. Nothing it makes
/// is kept or shared: it opens an in-memory database only.
/// </summary>
internal static class StartupWarmup
{
    private static int _started;

    /// <param name="terminal">Also detect the process's terminal, which the verb will print to.</param>
    public static void Start(bool terminal)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return; // a later command of the same process finds all of it loaded
        new Thread(() => Run(terminal)) { IsBackground = true, Name = "takt-warmup" }.Start();
    }

    private static void Run(bool terminal)
    {
        try
        {
            using (var connection = new SqliteConnection("Data Source=:memory:"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID; INSERT INTO t VALUES ($k, 1) RETURNING v";
                command.Parameters.AddWithValue("$k", "k");
                using var reader = command.ExecuteReader();
                while (reader.Read()) reader.GetInt64(0);
            }
            if (terminal) _ = Spectre.Console.AnsiConsole.Console;
            JsonSerializer.Serialize(new { warm = 1, at = 2L, text = "x" });
        }
        catch (Exception)
        {
            // Only a head start, whose failure must not end the process (an exception leaving a thread would): the verb
            // loads the same itself and reports what fails there, located (a missing SQLite library with the ledger's path).
        }
    }
}
