using Steer.Integration.Tests.Run;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Rules;

/// <summary>`steer rule add|del|list --port --protocol --source` and `steer explain --port …`:
/// flow rules stored, listed as "proxied flows only", removed by their conditions, explained.</summary>
public sealed class RuleConditionCommandTests : IDisposable
{
    private readonly string stateDir = Path.Combine(Path.GetTempPath(), $"steer-conditions-{Guid.NewGuid():N}");

    private Task<ExecResult> Steer(params string[] args) =>
        Runner.RunAsync(["env", $"STEER_STATE_DIR={stateDir}", $"STEER_RUN_DIR={stateDir}-run", SteerBinary.Path, .. args]);

    private string StateFile => File.ReadAllText(Path.Combine(stateDir, "rules"));

    [Fact]
    public async Task Conditioned_rules_round_trip_through_the_state_file_list_and_del()
    {
        (await Steer("rule", "add", "example.com", "wan0")).EnsureSuccess();
        (await Steer("rule", "add", "example.com", "wg0", "--port", "443,8000-8999", "--protocol", "tcp")).EnsureSuccess();
        (await Steer("rule", "add", "*", "eth1", "--port", "22", "--source", "192.168.1.0/24")).EnsureSuccess();

        Assert.Contains("domain example.com via wan0\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("domain example.com port 443,8000-8999 protocol tcp via wg0\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("any * port 22 source 192.168.1.0/24 via eth1\n", StateFile, StringComparison.Ordinal);

        var list = (await Steer("rule", "list")).EnsureSuccess().Stdout;
        Assert.Contains("port 443,8000-8999, protocol tcp  via wg0  (applies to proxied flows only)", list, StringComparison.Ordinal);
        Assert.Contains("overrides domain example.com via wan0", list, StringComparison.Ordinal);
        var json = (await Steer("rule", "list", "--json")).EnsureSuccess().Stdout;
        Assert.Contains("\"port\": \"443,8000-8999\"", json, StringComparison.Ordinal);
        Assert.Contains("\"scope\": \"proxied flows only\"", json, StringComparison.Ordinal);

        // The same destination with other conditions is another rule: del needs the conditions.
        var wrong = await Steer("rule", "del", "example.com", "--port", "443");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("no rule for domain example.com, port 443", wrong.Stderr, StringComparison.Ordinal);
        (await Steer("rule", "del", "example.com", "--port", "8000-8999,443", "--protocol", "tcp")).EnsureSuccess();
        Assert.DoesNotContain("wg0", StateFile, StringComparison.Ordinal);
        Assert.Contains("domain example.com via wan0\n", StateFile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_gives_the_proxy_answer_for_a_flow_and_names_the_host_planes_rule()
    {
        (await Steer("rule", "add", "example.com", "wan0")).EnsureSuccess();
        (await Steer("rule", "add", "example.com", "wg0", "--port", "443")).EnsureSuccess();

        var flow = (await Steer("explain", "www.example.com", "--port", "443")).EnsureSuccess().Stdout;
        Assert.Contains("rule         domain example.com, port 443 via wg0, suffix example.com, port 443", flow, StringComparison.Ordinal);
        Assert.Contains("applies to   proxied flows only", flow, StringComparison.Ordinal);
        Assert.Contains("host planes  domain example.com via wan0", flow, StringComparison.Ordinal);

        var host = (await Steer("explain", "www.example.com")).EnsureSuccess().Stdout;
        Assert.Contains("rule         domain example.com via wan0, suffix example.com", host, StringComparison.Ordinal);
        var other = (await Steer("explain", "www.example.com", "--port", "80")).EnsureSuccess().Stdout;
        Assert.Contains("rule         domain example.com via wan0", other, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--port", "90-80")]
    [InlineData("--protocol", "sctp")]
    [InlineData("--source", "10.0.0.0/33")]
    public async Task Bad_conditions_are_refused_and_nothing_is_written(string option, string value)
    {
        var result = await Steer("rule", "add", "example.com", "wg0", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("steer: --", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stateDir, "rules")));
    }

    [Fact]
    public async Task Any_destination_needs_a_condition()
    {
        var result = await Steer("rule", "add", "*", "wg0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs --port, --protocol or --source", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_gives_every_imported_rule_the_conditions_and_bad_conditions_import_nothing()
    {
        Directory.CreateDirectory(stateDir);
        var list = Path.Combine(stateDir, "list.txt");
        await File.WriteAllTextAsync(list, "example.com\nexample.org\n");

        var imported = (await Steer("rule", "import", list, "wg0", "--port", "443", "--protocol", "tcp", "--source", "192.168.1.0/24")).EnsureSuccess();
        Assert.Contains("imported 2 domain rule(s), each port 443, protocol tcp, source 192.168.1.0/24 via wg0", imported.Stdout, StringComparison.Ordinal);
        Assert.Contains("domain example.com port 443 protocol tcp source 192.168.1.0/24 via wg0\n", StateFile, StringComparison.Ordinal);
        Assert.Contains("domain example.org port 443 protocol tcp source 192.168.1.0/24 via wg0\n", StateFile, StringComparison.Ordinal);

        // A plain import beside them is another rule per domain; a bad condition imports nothing.
        (await Steer("rule", "import", list, "wan0")).EnsureSuccess();
        Assert.Contains("domain example.com via wan0\n", StateFile, StringComparison.Ordinal);
        var before = StateFile;
        var bad = await Steer("rule", "import", list, "wg1", "--port", "70000");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--port", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, StateFile);
    }

    public void Dispose()
    {
        foreach (var directory in new[] { stateDir, stateDir + "-run" })
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
