using System.Net;
using Steer.Linux.Resolv;
using Xunit;

namespace Steer.Linux.Tests.Resolv;

/// <summary>--take-over-dns restores exactly what it changed: text, mode, or the symlink it was.</summary>
public sealed class DnsTakeoverTests : IDisposable
{
    private static readonly IPAddress Listen = IPAddress.Parse("127.0.0.53");
    private readonly string dir = Directory.CreateTempSubdirectory("steer-resolv-").FullName;

    private string ResolvConf => Path.Combine(dir, "etc", "resolv.conf");

    private DnsTakeover Takeover() => new(ResolvConf, Path.Combine(dir, "state"));

    public DnsTakeoverTests() => Directory.CreateDirectory(Path.Combine(dir, "etc"));

    [Fact]
    public void A_regular_file_is_pointed_at_steer_and_restored_byte_for_byte_with_its_mode()
    {
        const string original = "# from DHCP\nsearch lan\nnameserver 192.0.2.53\nnameserver 2001:db8::53\noptions edns0\n";
        File.WriteAllText(ResolvConf, original);
        File.SetUnixFileMode(ResolvConf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.UserExecute);
        var mode = File.GetUnixFileMode(ResolvConf);

        var takeover = Takeover();
        takeover.TakeOver(Listen);
        Assert.Equal([Listen], Steer.Linux.Resolv.ResolvConf.NameServers(File.ReadAllText(ResolvConf)));
        Assert.Equal(["192.0.2.53", "2001:db8::53"], takeover.OriginalServers().Select(a => a.ToString()));

        takeover.TakeOver(Listen); // twice: the first original is kept
        Assert.Null(Takeover().Restore(Listen)); // a new process (a restarted Steer) can undo it
        Assert.Equal(original, File.ReadAllText(ResolvConf));
        Assert.Equal(mode, File.GetUnixFileMode(ResolvConf));
        Assert.False(Takeover().IsTakenOver);
        Assert.Equal(["resolv.conf"], Directory.GetFiles(Path.Combine(dir, "etc")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_symlink_such_as_systemd_resolveds_stub_comes_back_as_the_same_link()
    {
        var stub = Path.Combine(dir, "stub-resolv.conf");
        File.WriteAllText(stub, "nameserver 127.0.0.53\n");
        File.CreateSymbolicLink(ResolvConf, stub);

        Takeover().TakeOver(Listen);
        Assert.Null(new FileInfo(ResolvConf).LinkTarget);
        Assert.Equal("nameserver 127.0.0.53\n", File.ReadAllText(stub)); // never written through

        Assert.Null(Takeover().Restore(Listen));
        Assert.Equal(stub, new FileInfo(ResolvConf).LinkTarget);
    }

    [Fact]
    public void A_file_rewritten_by_someone_else_meanwhile_is_left_alone_with_a_warning()
    {
        File.WriteAllText(ResolvConf, "nameserver 192.0.2.53\n");
        Takeover().TakeOver(Listen);
        File.WriteAllText(ResolvConf, "nameserver 198.51.100.1\n"); // a DHCP client renewed its lease

        var warning = Takeover().Restore(Listen);
        Assert.Contains("was changed while Steer resolved", warning, StringComparison.Ordinal);
        Assert.Equal("nameserver 198.51.100.1\n", File.ReadAllText(ResolvConf));
        Assert.False(Takeover().IsTakenOver);
    }

    [Fact]
    public void Name_servers_are_read_as_the_C_library_reads_them()
    {
        var servers = Steer.Linux.Resolv.ResolvConf.NameServers("nameserver 10.0.0.1\n#nameserver 10.0.0.2\n ; x\nnameserver bad\nnameserver\t2001:db8::1 # c\ndomain x\n");
        Assert.Equal(["10.0.0.1", "2001:db8::1"], servers.Select(a => a.ToString()));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
