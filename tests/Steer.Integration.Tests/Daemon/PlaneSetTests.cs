using Xunit;
using Steer.Daemon.Planes;
using Steer.Policy.Configuration;

namespace Steer.Integration.Tests.Daemon;

/// <summary>The daemon's planes apply together: a refusal by one gives the planes already
/// changed their previous configuration back, and stop removes them last-started first.</summary>
public sealed class PlaneSetTests
{
    private sealed class Recording(string name, List<string> journal, bool refuse = false, bool onlyNext = false, SteerConfig? refuses = null) : IDaemonPlane
    {
        public string Name => name;
        public bool Uses(SteerConfig config) => !onlyNext || ReferenceEquals(config, Next);
        public string Summary => "ok";
        public void Apply(SteerConfig config)
        {
            if ((refuse && !ReferenceEquals(config, SteerConfig.Empty)) || ReferenceEquals(config, refuses))
                throw new PlaneException($"{name} refuses");
            journal.Add($"{name}:apply:{(ReferenceEquals(config, SteerConfig.Empty) ? "previous" : "next")}");
        }
        public void RemoveAll() => journal.Add($"{name}:remove");
        public void Dispose() => journal.Add($"{name}:dispose");
    }

    private static readonly PlaneContext Context = new(TextWriter.Null, Steer.Daemon.DaemonPaths.For("/nonexistent/run", "/nonexistent/state"), _ => null);

    private static readonly SteerConfig Next = ConfigLoader.LoadOrThrow("rules:\n  - { domain: example.com, via: wg0 }\n", "next.yaml");

    [Fact]
    public void A_refusal_restores_the_planes_already_changed_in_reverse_order()
    {
        var journal = new List<string>();
        var set = PlaneSet.Start(SteerConfig.Empty, Context,
        [
            ("a", (_, _) => new Recording("a", journal)),
            ("b", (_, _) => new Recording("b", journal)),
            ("c", (_, _) => new Recording("c", journal, refuse: true)),
        ]);
        var error = Assert.Throws<PlaneException>(() => set.Apply(Next, SteerConfig.Empty));
        Assert.Equal("c refuses", error.Message);
        Assert.Equal(["a:apply:next", "b:apply:next", "b:apply:previous", "a:apply:previous"], journal);
    }

    [Fact]
    public void Stop_removes_the_last_started_plane_first_and_skips_unused_planes()
    {
        var journal = new List<string>();
        var set = PlaneSet.Start(SteerConfig.Empty, Context,
        [
            ("a", (_, _) => new Recording("a", journal)),
            ("unused", (_, _) => null),
            ("b", (_, _) => new Recording("b", journal)),
        ]);
        Assert.Equal(["a", "b"], set.Planes.Select(p => p.Name));
        set.RemoveAll();
        Assert.Equal(["b:remove", "b:dispose", "a:remove", "a:dispose"], journal);
    }

    [Fact]
    public void A_plane_failing_to_start_removes_those_started_before_it()
    {
        var journal = new List<string>();
        Assert.Throws<PlaneException>(() => PlaneSet.Start(SteerConfig.Empty, Context,
        [
            ("a", (_, _) => new Recording("a", journal)),
            ("b", (_, _) => throw new PlaneException("b cannot start")),
        ]));
        Assert.Equal(["a:remove", "a:dispose"], journal);
    }

    /// <summary>A kind whose section only the next configuration has: its factory returns null for the empty one.</summary>
    private static DaemonPlaneFactory OnlyInNext(string name, List<string> journal, bool refuse = false) =>
        (config, _) => ReferenceEquals(config, SteerConfig.Empty) ? null : Record(new Recording(name, journal, refuse, onlyNext: true), journal);

    private static IDaemonPlane Record(IDaemonPlane plane, List<string> journal)
    {
        journal.Add($"{plane.Name}:start");
        return plane;
    }

    [Fact]
    public void Apply_starts_a_plane_its_section_now_asks_for_and_retires_it_when_the_section_goes()
    {
        var journal = new List<string>();
        var set = PlaneSet.Start(SteerConfig.Empty, Context,
        [
            ("a", (_, _) => new Recording("a", journal)),
            ("proxy", OnlyInNext("proxy", journal)),
        ]);
        Assert.Equal(["a"], set.Planes.Select(p => p.Name));

        set.Apply(Next, SteerConfig.Empty);
        Assert.Equal(["a", "proxy"], set.Planes.Select(p => p.Name));
        set.Apply(SteerConfig.Empty, Next);
        Assert.Equal(["a"], set.Planes.Select(p => p.Name));

        Assert.Equal(["a:apply:next", "proxy:start", "a:apply:previous", "proxy:remove", "proxy:dispose"], journal);
    }

    [Fact]
    public void A_refusal_after_apply_started_a_plane_removes_that_plane_again()
    {
        var journal = new List<string>();
        var set = PlaneSet.Start(SteerConfig.Empty, Context,
        [
            ("a", (_, _) => new Recording("a", journal)),
            ("proxy", OnlyInNext("proxy", journal)),
            ("c", (_, _) => new Recording("c", journal, refuse: true)),
        ]);

        Assert.Throws<PlaneException>(() => set.Apply(Next, SteerConfig.Empty));

        Assert.Equal(["a", "c"], set.Planes.Select(p => p.Name));
        Assert.Equal(["a:apply:next", "proxy:start", "proxy:remove", "proxy:dispose", "a:apply:previous"], journal);
    }

    [Fact]
    public void A_plane_whose_section_goes_is_kept_when_another_plane_refuses()
    {
        var journal = new List<string>();
        var set = PlaneSet.Start(Next, Context,
        [
            ("proxy", OnlyInNext("proxy", journal)),
            ("c", (_, _) => new Recording("c", journal, refuses: SteerConfig.Empty)),
        ]);
        journal.Clear();

        Assert.Throws<PlaneException>(() => set.Apply(SteerConfig.Empty, Next));

        Assert.Equal(["proxy", "c"], set.Planes.Select(p => p.Name));
        Assert.Empty(journal); // nothing was removed: retiring waits until every plane has applied
    }
}
