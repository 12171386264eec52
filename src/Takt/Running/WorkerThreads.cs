namespace Takt.Running;

/// <summary>
/// The threads that carry a run's tasks. A thread whose task waits for its commit after it placed its version (and
/// released the tasks that read it, <see cref="PlacedVersions"/>) stops counting, and another thread takes its place,
/// so that the released tasks find one; when the commit returns, the extra thread parks until it can take the place of
/// the next task that waits, instead of ending (in a chain every task waits so: a new thread each would cost more CPU
/// than a trivial task's ledger work). Parked threads end when the run does.
/// </summary>
internal sealed class WorkerThreads(int count, Action<WorkerThreads> work)
{
    /// <summary>Threads waiting for commits at most; past that, a released task waits for a thread as before.</summary>
    private const int MaxWaiting = 64;
    private readonly List<Task> _threads = [];
    private int _counted;
    private int _waiting;
    [ThreadStatic] private static WorkerThreads? _waitingIn;
    private readonly object _park = new(); // a monitor: parked threads wait on it
    private int _parked, _wakeups;
    private bool _finished;

    public void Start()
    {
        for (var i = 0; i < count; i++) Spawn();
    }

    private void Spawn()
    {
        Interlocked.Increment(ref _counted);
        lock (_threads) _threads.Add(Task.Factory.StartNew(() =>
        {
            try { work(this); }
            finally { Finish(); } // a thread's work ends only when the run's does
        }, TaskCreationOptions.LongRunning));
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
        if (Wake()) Interlocked.Increment(ref _counted);
        else Spawn();
    }

    /// <summary>After a task: false when the calling thread is one too many (its task waited and another took its place) and should end.</summary>
    public bool Continue()
    {
        if (_waitingIn != this) return true;
        _waitingIn = null;
        Interlocked.Decrement(ref _waiting);
        if (Interlocked.Increment(ref _counted) <= count) return true;
        Interlocked.Decrement(ref _counted);
        return Park();
    }

    /// <summary>Lets a parked thread take a waiting task's place (its waker counts it); false when none is parked.</summary>
    private bool Wake()
    {
        lock (_park)
        {
            if (_parked == 0) return false;
            _parked--;
            _wakeups++;
            Monitor.Pulse(_park);
            return true;
        }
    }

    /// <summary>Waits to be woken (true: go on, counted) or for the run's end (false).</summary>
    private bool Park()
    {
        lock (_park)
        {
            if (_finished) return false;
            _parked++;
            while (_wakeups == 0 && !_finished) Monitor.Wait(_park);
            if (_wakeups > 0)
            {
                _wakeups--;
                return true;
            }
            _parked--;
            return false;
        }
    }

    private void Finish()
    {
        lock (_park)
        {
            _finished = true;
            Monitor.PulseAll(_park);
        }
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
