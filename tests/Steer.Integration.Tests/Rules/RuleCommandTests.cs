using Steer.Integration.Tests.Run;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Rules;

/// <summary>`steer rule`: rules are stored in the state file, normalised, listed with findings,
/// imported from lists and dnsmasq files; bad input changes nothing.</summary>
public sealed class RuleCommandTests : IDisposable
{
    private readonly string stateDir = Path.Combine(Path.GetTempPath(), $"steer-rules-{Guid.NewGuid():N}");

    private Task<ExecResult> Steer(params string[] args) =>
        Runner.RunAsync(["env", $"STEER_STATE_DIR={stateDir}", SteerBinary.Path, "rule", .. args]);

    private string StateFile => File.ReadAllText(Path.Combine(stateDir, "rules"));

    [Fact]
    public async Task Rules_are_normalised_stored_and_listed_most_specific_first()
    {
        (await Steer("add", "Example.COM.", "wg0")).EnsureSuccess();
        (await Steer("add", "--exact", "login.example.com", "eth1")).EnsureSuccess();
        (await Steer("add", "10.8.0.1/16", "wg0")).EnsureSuccess();
        (await Steer("add", "bücher.example", "wg0")).EnsureSuccess();

        Assert.Contains("domain example.com via wg0\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("name login.example.com via eth1\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("cidr 10.8.0.0/16 via wg0\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("domain xn--bcher-kva.example via wg0\n", StateFile, StringComparison.Ordinal);

        var list = (await Steer("list")).EnsureSuccess().Stdout;
        Assert.Contains("login.example.com via eth1 overrides domain example.com via wg0", list, StringComparison.Ordinal);
        var json = (await Steer("list", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"via\": \"eth1\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_rule_for_a_destination_replaces_the_old_and_del_removes_it()
    {
        (await Steer("add", "example.com", "wg0")).EnsureSuccess();
        (await Steer("add", "example.com", "eth1")).EnsureSuccess();
        Assert.Contains("domain example.com via eth1\n", StateFile, StringComparison.Ordinal);
        Assert.DoesNotContain("wg0", StateFile, StringComparison.Ordinal);

        (await Steer("del", "example.com")).EnsureSuccess();
        Assert.DoesNotContain("example.com", StateFile, StringComparison.Ordinal);
        var again = await Steer("del", "example.com");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("no rule for domain example.com", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_reads_lists_and_dnsmasq_files_all_or_nothing()
    {
        var list = Path.Combine(stateDir + "-in", "vpn.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(list)!);
        await File.WriteAllTextAsync(list, "server=/a.com/b.org/10.64.0.1\nnftset=/c.net/4#inet#fw#vpn\nno-resolv\n");
        (await Steer("import", list, "wg0")).EnsureSuccess();
        foreach (var domain in new[] { "a.com", "b.org", "c.net" })
            Assert.Contains($"domain {domain} via wg0\n", StateFile, StringComparison.Ordinal);

        await File.WriteAllTextAsync(list, "good.com\nnot a name\n");
        var bad = await Steer("import", list, "wg0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{list}:2:", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("good.com", StateFile, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(list)!, recursive: true);
    }

    [Theory]
    [InlineData("add", "bad_name!", "wg0")]
    [InlineData("add", "example.com", "a/b")]
    [InlineData("add", "*.example.com", "wg0")]
    public async Task Bad_input_is_refused_and_nothing_is_written(string verb, string target, string via)
    {
        var result = await Steer(verb, target, via);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("steer: ", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stateDir, "rules")));
    }

    public void Dispose()
    {
        if (Directory.Exists(stateDir))
            Directory.Delete(stateDir, recursive: true);
    }
}
