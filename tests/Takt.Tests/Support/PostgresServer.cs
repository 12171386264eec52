using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Takt.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on a loopback port, made with the server binaries on the machine and removed
/// when disposed. initdb refuses root, so as root the cluster belongs to the postgres user.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;
    private readonly bool _asPostgres = Environment.UserName == "root";

    public PostgresServer()
    {
        if (!File.Exists(Path.Combine(Bin, "pg_ctl")))
            throw new InvalidOperationException($"PostgreSQL 15 server binaries are missing from {Bin}; install the postgresql-15 package (.ci/run does).");
        _dir = Path.Combine(Path.GetTempPath(), "takt-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        if (_asPostgres) Run("chown", "-R", "postgres:postgres", _dir);
        Port = FreePort();
        Run(Tool("initdb"), "-A", "trust", "-U", "postgres", "-D", Path.Combine(_dir, "data"));
        Run(Tool("pg_ctl"), "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";
    }

    public int Port { get; }
    public string ConnectionString { get; }

    /// <summary>A port nothing listens on, for "server is down" tests.</summary>
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
        try { Run(Tool("pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"); }
        catch (InvalidOperationException) { /* already stopped */ }
        Directory.Delete(_dir, recursive: true);
    }

    private string[] Tool(string name) => _asPostgres ? ["runuser", "-u", "postgres", "--", Path.Combine(Bin, name)] : [Path.Combine(Bin, name)];

    private static void Run(string[] command, params string[] args) => Run(command[0], [.. command[1..], .. args]);

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new InvalidOperationException($"{file} timed out"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}{output.Result}");
    }
}
