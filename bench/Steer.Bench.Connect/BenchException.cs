namespace Steer.Bench.Connect;

/// <summary>The benchmark could not measure (a command failed, a worker died); the run stops with
/// the message. A missed goal is not one of these: it is reported, and the run succeeds.</summary>
internal sealed class BenchException : Exception
{
    public BenchException(string message) : base(message) { }
}
