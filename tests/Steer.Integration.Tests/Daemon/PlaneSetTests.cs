using Xunit;
using Steer.Daemon.Planes;
using Steer.Policy.Configuration;

namespace Steer.Integration.Tests.Daemon;

/// <summary>The daemon's planes apply together: a refusal by one gives the planes already
/// changed their previous configuration back, and stop removes them last-started first.</summary>
public sealed class PlaneSetTests
{
    private sealed class Recording(string name, List<string> journal, bool refuse = false) : IDaemonPlane
    {
        public string Name => name;
        public string Summary => "ok";
        public void Apply(SteerConfig config)
        {
            if (refuse && !ReferenceEquals(config, SteerConfig.Empty))
                throw new PlaneException($"{name} refuses");
            journal.Add($"{name}:apply:{(ReferenceEquals(config, SteerConfig.Empty) ? "previous" : "next")}");
        }
        public void RemoveAll() => journal.Add($"{name}:remove");
        public void Dispose() { }
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
        Assert.Equal(["b:remove", "a:remove"], journal);
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
        Assert.Equal(["a:remove"], journal);
    }
}
