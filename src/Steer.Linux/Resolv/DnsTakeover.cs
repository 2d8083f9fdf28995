using System.Net;
using Steer.Linux.Files;

namespace Steer.Linux.Resolv;

/// <summary>
/// <c>steer start --take-over-dns</c>: points the host's resolution (resolv.conf) at Steer's
/// resolver, and <c>steer stop</c> restores exactly what it changed. What was there — the file's
/// text or the symlink it was (systemd-resolved's stub) — is saved first in Steer's state
/// directory, atomically, so a crash in between never loses it and a restarted Steer still knows
/// how to undo. If someone rewrote resolv.conf meanwhile (a DHCP client), Steer leaves their
/// version alone on restore and says so.
/// </summary>
public sealed class DnsTakeover(string resolvConfPath, string stateDirectory)
{
    private string SavedPath => Path.Combine(stateDirectory, "resolv.conf.saved");

    private string SavedLinkPath => Path.Combine(stateDirectory, "resolv.conf.saved-link");

    public bool IsTakenOver => File.Exists(SavedPath) || File.Exists(SavedLinkPath);

    private string Saved => File.Exists(SavedLinkPath) ? SavedLinkPath : SavedPath;

    /// <summary>The name servers the host used before Steer (the default upstreams).</summary>
    public IReadOnlyList<IPAddress> OriginalServers()
    {
        if (File.Exists(SavedPath))
            return ResolvConf.NameServers(File.ReadAllText(SavedPath));
        return File.Exists(resolvConfPath) ? ResolvConf.NameServers(File.ReadAllText(resolvConfPath)) : [];
    }

    /// <summary>Saves what is there and points resolv.conf at <paramref name="listen"/>.
    /// Taking over twice keeps the first saved original.</summary>
    public void TakeOver(IPAddress listen)
    {
        if (!IsTakenOver)
        {
            var info = new FileInfo(resolvConfPath);
            if (info.LinkTarget is { } target)
                new StateFile(SavedLinkPath).Update(_ => target);
            else
                new StateFile(SavedPath).Update(_ => info.Exists ? File.ReadAllText(resolvConfPath) : "");
        }
        if (new FileInfo(resolvConfPath).LinkTarget is not null)
            File.Delete(resolvConfPath); // replace the link itself, never write through it
        StateFile.WriteAtomically(resolvConfPath, ResolvConf.PointingAt(listen, Saved));
    }

    /// <summary>Puts the original back; returns a warning when resolv.conf was changed by someone
    /// else while Steer had it (their version is kept), else null.</summary>
    public string? Restore(IPAddress listen)
    {
        if (!IsTakenOver)
            return null;
        string? warning = null;
        var current = File.Exists(resolvConfPath) ? File.ReadAllText(resolvConfPath) : null;
        bool ours = current is not null && current == ResolvConf.PointingAt(listen, Saved);
        if (!ours)
            warning = $"{resolvConfPath} was changed while Steer resolved for this host; leaving it as it is now";
        else if (File.Exists(SavedLinkPath))
        {
            File.Delete(resolvConfPath);
            File.CreateSymbolicLink(resolvConfPath, File.ReadAllText(SavedLinkPath));
        }
        else
            StateFile.WriteAtomically(resolvConfPath, File.ReadAllText(SavedPath));
        File.Delete(SavedPath);
        File.Delete(SavedLinkPath);
        return warning;
    }
}
