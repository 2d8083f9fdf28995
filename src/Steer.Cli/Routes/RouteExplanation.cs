using System.Globalization;
using System.Net;
using Steer.Cli.Run;
using Steer.Routing.Explain;
using Steer.Routing.Kernel;

namespace Steer.Cli.Routes;

/// <summary>The route-plane part of <c>steer explain</c> (--from/--iif/--oif/--mark).</summary>
internal static class RouteExplanation
{
    /// <summary>The selectors, or null when none was given (the rule explanation applies).</summary>
    public static (string? From, string? Iif, string? Oif, string? Mark)? Requested(string? from, string? iif, string? oif, string? mark) =>
        from is null && iif is null && oif is null && mark is null ? null : (from, iif, oif, mark);

    public static int Print(string destination, (string? From, string? Iif, string? Oif, string? Mark) selectors)
    {
        if (!IPAddress.TryParse(destination, out var dst))
            throw new UsageException($"{destination}: with --from/--iif/--oif/--mark the destination must be an address");
        IPAddress? from = null;
        if (selectors.From is { } f && !IPAddress.TryParse(f, out from))
            throw new UsageException($"--from {f}: not an address");
        if (from is not null && from.AddressFamily != dst.AddressFamily)
            throw new UsageException($"--from {from} and {dst} are of different families");
        uint? mark = null;
        if (selectors.Mark is { } m)
        {
            var text = m.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? m[2..] : m;
            var style = m.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? NumberStyles.HexNumber : NumberStyles.None;
            if (!uint.TryParse(text, style, CultureInfo.InvariantCulture, out var parsed))
                throw new UsageException($"--mark {m}: a number, decimal or 0x-hex");
            mark = parsed;
        }
        using var kernel = new RouteKernel();
        foreach (var line in RouteExplainer.Explain(kernel, new ReplyQuestion(dst, from, selectors.Iif, selectors.Oif, mark)))
            Console.WriteLine(line);
        return 0;
    }
}
