using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Takt.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on a loopback port (a class fixture), made with the server binaries of the
/// postgresql-15 package and removed when disposed. initdb refuses root, so as root the cluster belongs to the postgres
/// user (through runuser); otherwise it belongs to the current user.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly string Bin = Components.PostgresBin;
    private readonly string _dir;
    private readonly bool _asPostgres = Environment.UserName == "root";
    private bool _started;

    public PostgresServer()
    {
        if (Components.MissingPostgres() is { } missing) throw new InvalidOperationException(missing);
        if (_asPostgres && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
            throw new InvalidOperationException("running as root, the PostgreSQL test cluster needs runuser (util-linux) to run initdb as the postgres user.");
        _dir = Path.Combine(Path.GetTempPath(), "takt-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        try
        {
            if (_asPostgres) Run(["chown", "postgres:postgres", _dir]);
            Port = FreePort();
            Run([.. Tool("initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D", Data]);
            _started = true;
            Run([.. Tool("pg_ctl"), "-D", Data, "-l", Log, "-w", "-t", "60",
                "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]);
        }
        catch (InvalidOperationException e)
        {
            var log = File.Exists(Log) ? File.ReadAllText(Log) : "";
            Dispose();
            throw new InvalidOperationException($"{e.Message}\n{log}", e);
        }
        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";
    }

    public int Port { get; }
    public string ConnectionString { get; } = "";

    private string Data => Path.Combine(_dir, "data");
    private string Log => Path.Combine(_dir, "log");

    /// <summary>A loopback port nothing listens on (just released), for "server is down" tests.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        if (_started)
        {
            try { Run([.. Tool("pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop"]); }
            catch (InvalidOperationException) { /* not running */ }
            _started = false;
        }
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string[] Tool(string name) => _asPostgres ? ["runuser", "-u", "postgres", "--", Path.Combine(Bin, name)] : [Path.Combine(Bin, name)];

    private static void Run(string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command[1..]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new InvalidOperationException($"{string.Join(' ', command)} timed out"); }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {error.Result}{output.Result}");
    }
}
