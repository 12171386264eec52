namespace Takt.Running;

/// <summary>
/// The threads that carry a run's tasks. A thread whose task waits for its commit after it placed its version (and
/// released the tasks that read it, <see cref="PlacedVersions"/>) stops counting, and another thread takes its place,
/// so that the released tasks find one; when the commit returns, the extra thread ends with its task.
/// </summary>
internal sealed class WorkerThreads(int count, Action<WorkerThreads> work)
{
    /// <summary>Threads waiting for commits at most; past that, a released task waits for a thread as before.</summary>
    private const int MaxWaiting = 64;
    private readonly List<Task> _threads = [];
    private int _counted;
    private int _waiting;
    [ThreadStatic] private static WorkerThreads? _waitingIn;

    public void Start()
    {
        for (var i = 0; i < count; i++) Spawn();
    }

    private void Spawn()
    {
        Interlocked.Increment(ref _counted);
        lock (_threads) _threads.Add(Task.Factory.StartNew(() => work(this), TaskCreationOptions.LongRunning));
    }

    /// <summary>The calling thread's task waits for its commit: another thread takes its place (one thread alone stays alone: in order).</summary>
    public void Waiting()
    {
        if (count <= 1 || _waitingIn == this) return;
        if (Interlocked.Increment(ref _waiting) > MaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            return;
        }
        _waitingIn = this;
        Interlocked.Decrement(ref _counted);
        Spawn();
    }

    /// <summary>After a task: false when the calling thread is one too many (its task waited and another took its place) and should end.</summary>
    public bool Continue()
    {
        if (_waitingIn != this) return true;
        _waitingIn = null;
        Interlocked.Decrement(ref _waiting);
        if (Interlocked.Increment(ref _counted) <= count) return true;
        Interlocked.Decrement(ref _counted);
        return false;
    }

    /// <summary>Waits until every thread ended; a thread starts others only while it runs, so an unchanged set after the wait is final.</summary>
    public void WaitAll()
    {
        while (true)
        {
            Task[] started;
            lock (_threads) started = [.. _threads];
            Task.WaitAll(started);
            lock (_threads) if (_threads.Count == started.Length) return;
        }
    }
}
