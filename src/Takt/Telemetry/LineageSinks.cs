using System.Buffers;

namespace Takt.Telemetry;

/// <summary>Where OpenLineage events go: a JSON-lines file by default, an HTTP endpoint when configured.</summary>
public interface ILineageSink
{
    /// <summary>Sends one run event, as UTF-8 JSON (the memory is reused once this returns).</summary>
    void Send(ReadOnlyMemory<byte> runEvent);

    /// <summary>Makes what was sent durable at the destination; called whenever no more events are waiting.</summary>
    void Flush() { }
}

/// <summary>
/// Appends events to <c>HOME/openlineage/events.jsonl</c>, one line each. Events sent while more are waiting are
/// appended together in one write when the exporter catches up, so a busy build opens the file once per batch, not
/// twice per task. A batch is appended under an exclusive lock on the file, so two builds appending to the same file
/// never write over each other's lines.
/// </summary>
public sealed class FileLineageSink : ILineageSink
{
    private const int MaxBatchBytes = 256 << 10;
    private const int LockAttempts = 5000;
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _batch = new();

    public FileLineageSink(string path) => _path = path;

    public void Send(ReadOnlyMemory<byte> runEvent)
    {
        lock (_gate)
        {
            _batch.Write(runEvent.Span);
            _batch.Write("\n"u8);
            if (_batch.WrittenCount >= MaxBatchBytes) FlushBatch();
        }
    }

    public void Flush()
    {
        lock (_gate) FlushBatch();
    }

    private void FlushBatch()
    {
        if (_batch.WrittenCount == 0) return;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // .NET appends by seeking to the end, not with O_APPEND: FileShare.None (an flock on Unix) keeps another
                // appender from writing at the same offset in between.
                using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
                file.Write(_batch.WrittenSpan);
                break;
            }
            catch (IOException) when (attempt < LockAttempts) { Thread.Sleep(1); }
        }
        _batch.Clear();
    }
}

/// <summary>POSTs events to an OpenLineage HTTP endpoint (e.g. Marquez's <c>/api/v1/lineage</c>).</summary>
public sealed class HttpLineageSink(Uri endpoint) : ILineageSink
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Send(ReadOnlyMemory<byte> runEvent)
    {
        using var content = new ReadOnlyMemoryContent(runEvent);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = Client.PostAsync(endpoint, content).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }
}
