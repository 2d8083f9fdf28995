using System.Collections.Concurrent;
using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>
/// One epoll thread. Flows live on the loop that accepted them and are touched only by its thread,
/// so the data path takes no lock. Registrations are slots in an array, addressed by a token that
/// carries a generation, so an event still queued for a closed fd never reaches the slot's next owner.
/// Other threads talk to a loop only through <see cref="Post"/>.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const int BatchSize = 256;
    private const int TickMs = 1000;

    private struct Slot
    {
        public IPollable? Handler;
        public int Side;
        public uint Generation;
        public int NextFree;
    }

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Thread _thread;
    private readonly string? _netns;
    private readonly TextWriter _log;
    private Slot[] _slots = new Slot[1024];
    private int _firstFree = -1;
    private int _used;
    private volatile bool _stopping;
    private long _lastTick;

    public EventLoop(string name, string? netnsPath, TextWriter log)
    {
        _netns = netnsPath;
        _log = log;
        _epoll = Sys.epoll_create1(Sys.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new ProxyException($"epoll_create1: errno {Sys.Errno}");
        _wake = Sys.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK);
        var ev = new EpollEvent { Events = Sys.EPOLLIN, Data = ulong.MaxValue };
        Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_ADD, _wake, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        Pipes = new PipePool();
        NowMs = Environment.TickCount64;
    }

    /// <summary>The time of the current loop iteration, read once per batch.</summary>
    public long NowMs { get; private set; }

    /// <summary>Empty pipes for splice, kept for this loop's flows.</summary>
    public PipePool Pipes { get; }

    /// <summary>One 64 KiB buffer for this loop's datagrams and handshakes: the thread uses it
    /// for one operation at a time, so nothing on the data path allocates.</summary>
    public byte[] Scratch { get; } = GC.AllocateArray<byte>(65536, pinned: true);

    public bool IsLoopThread => Thread.CurrentThread == _thread;

    public void Start()
    {
        var started = new ManualResetEventSlim();
        Exception? failure = null;
        _startup = () =>
        {
            try
            {
                if (_netns is not null)
                    EnterNamespace(_netns);
            }
            catch (Exception e)
            {
                failure = e;
            }
            started.Set();
        };
        _thread.Start();
        started.Wait();
        if (failure is not null)
            throw failure;
    }

    private Action? _startup;

    /// <summary>Runs <paramref name="work"/> on the loop's thread.</summary>
    public void Post(Action work)
    {
        // A late poster (a name resolved after stop) must not write to a closed — or reused — fd.
        if (_stopping)
            return;
        _posted.Enqueue(work);
        ulong one = 1;
        Sys.write(_wake, &one, 8);
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread and waits for it.</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (IsLoopThread)
            return work();
        ObjectDisposedException.ThrowIf(_stopping, this);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    public ulong Register(int fd, uint events, IPollable handler, int side)
    {
        int index;
        if (_firstFree >= 0)
        {
            index = _firstFree;
            _firstFree = _slots[index].NextFree;
        }
        else
        {
            if (_used == _slots.Length)
                Array.Resize(ref _slots, _slots.Length * 2);
            index = _used++;
        }
        ref var slot = ref _slots[index];
        slot.Handler = handler;
        slot.Side = side;
        slot.Generation++;
        var token = ((ulong)slot.Generation << 32) | (uint)index;
        var ev = new EpollEvent { Events = events, Data = token };
        if (Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_ADD, fd, &ev) < 0)
        {
            var errno = Sys.Errno;
            Release(index);
            throw new ProxyException($"epoll_ctl add fd {fd}: errno {errno}");
        }
        return token;
    }

    public void Modify(int fd, ulong token, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = token };
        Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_MOD, fd, &ev);
    }

    /// <summary>Frees the fd's slot; with <paramref name="closing"/> the caller closes the fd right
    /// after, which removes it from epoll by itself (one syscall less per socket), else it is removed here.</summary>
    public void Unregister(int fd, ulong token, bool closing = false)
    {
        if (!closing)
            Sys.epoll_ctl(_epoll, Sys.EPOLL_CTL_DEL, fd, null);
        var index = (int)(uint)token;
        if (index < _used && _slots[index].Generation == (uint)(token >> 32) && _slots[index].Handler is not null)
            Release(index);
    }

    private void Release(int index)
    {
        ref var slot = ref _slots[index];
        slot.Handler = null;
        slot.Generation++;
        slot.NextFree = _firstFree;
        _firstFree = index;
    }

    private void Run()
    {
        _startup?.Invoke();
        var events = stackalloc EpollEvent[BatchSize];
        _lastTick = Environment.TickCount64;
        while (!_stopping)
        {
            var count = Sys.epoll_wait(_epoll, events, BatchSize, TickMs);
            NowMs = Environment.TickCount64;
            for (var i = 0; i < count; i++)
            {
                var token = events[i].Data;
                if (token == ulong.MaxValue)
                {
                    ulong drained;
                    Sys.read(_wake, &drained, 8);
                    RunPosted();
                    continue;
                }
                var index = (int)(uint)token;
                ref var slot = ref _slots[index];
                if (slot.Handler is null || slot.Generation != (uint)(token >> 32))
                    continue;
                try
                {
                    slot.Handler.OnEvents(slot.Side, events[i].Events);
                }
                catch (Exception e)
                {
                    _log.WriteLine($"steer: proxy: {e.GetType().Name}: {e.Message}");
                }
            }
            if (NowMs - _lastTick >= TickMs)
            {
                _lastTick = NowMs;
                Tick();
            }
        }
        RunPosted();
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var work))
        {
            try { work(); }
            catch (Exception e) { _log.WriteLine($"steer: proxy: {e.Message}"); }
        }
    }

    private void Tick()
    {
        // Side 0 is each handler's first registration: tick every handler once.
        for (var i = 0; i < _used; i++)
        {
            var handler = _slots[i].Handler;
            if (handler is not null && _slots[i].Side == 0)
            {
                try { handler.OnTick(NowMs); }
                catch (Exception e) { _log.WriteLine($"steer: proxy: {e.Message}"); }
            }
        }
    }

    /// <summary>Every registered handler (snapshot, on the loop thread).</summary>
    public List<IPollable> Handlers()
    {
        var list = new List<IPollable>();
        for (var i = 0; i < _used; i++)
            if (_slots[i].Handler is { } handler && _slots[i].Side == 0)
                list.Add(handler);
        return list;
    }

    private static void EnterNamespace(string path)
    {
        using var ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (Sys.setns((int)ns.DangerousGetHandle(), Sys.CLONE_NEWNET) < 0)
            throw new ProxyException($"setns({path}): errno {Sys.Errno}");
    }

    /// <summary>Stops the thread after the current batch; handlers must be closed before (via Post).</summary>
    public void Stop()
    {
        _stopping = true;
        ulong one = 1;
        Sys.write(_wake, &one, 8);
        if (_thread.IsAlive && !IsLoopThread)
            _thread.Join();
    }

    public void Dispose()
    {
        Stop();
        Pipes.Dispose();
        Sys.close(_wake);
        Sys.close(_epoll);
    }
}
