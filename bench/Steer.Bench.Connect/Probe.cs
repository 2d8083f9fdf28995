using System.Globalization;

namespace Steer.Bench.Connect;

/// <summary>One benchmark case: <see cref="Operations"/> × socket()+connect()+close() of
/// <see cref="Protocol"/> ("udp" or "tcp") to <see cref="Address"/>:<see cref="Port"/>.</summary>
internal sealed record Probe(string Protocol, string Address, int Port, int Operations)
{
    public string Name => $"{Protocol}{(Address.Contains(':', StringComparison.Ordinal) ? '6' : '4')} connect+close";

    /// <summary>The request line of the worker's loop mode.</summary>
    public string RequestLine => string.Create(CultureInfo.InvariantCulture, $"{Protocol} {Address} {Port} {Operations}");
}
