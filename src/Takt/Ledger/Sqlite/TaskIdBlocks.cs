namespace Takt.Ledger.Sqlite;

/// <summary>
/// Hands out task ids from blocks reserved in the ledger, so that a task's row can be written later, with another
/// write, and still have an id no other process gives out. Blocks grow from <see cref="FirstBlock"/> to
/// <see cref="LargestBlock"/>: a one-task run leaves a small gap in the ids, a long build reserves rarely.
/// </summary>
internal sealed class TaskIdBlocks(Func<int, long> reserve)
{
    private const int FirstBlock = 16;
    private const int LargestBlock = 1024;
    private readonly Lock _gate = new();
    private int _blockSize = FirstBlock;
    private long _next = 1;
    private long _last;

    /// <summary>The next id, safe to call from any thread.</summary>
    public long Next()
    {
        lock (_gate)
        {
            if (_next > _last)
            {
                _last = reserve(_blockSize); // the last id of the new block
                _next = _last - _blockSize + 1;
                _blockSize = Math.Min(2 * _blockSize, LargestBlock);
            }
            return _next++;
        }
    }
}
