using Steer.Cli.Run;
using Steer.Linux.Files;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Cli.Rules;

/// <summary>
/// The rules added with `steer rule`, in /var/lib/steer/rules (STEER_STATE_DIR overrides the
/// directory, for tests): kept across `steer stop`/`start` and reboots, replaced atomically.
/// </summary>
internal sealed class RuleStore
{
    private readonly StateFile file;

    public RuleStore(string path) => file = new StateFile(path);

    public static RuleStore Default() => new(System.IO.Path.Combine(
        Environment.GetEnvironmentVariable("STEER_STATE_DIR") is { Length: > 0 } dir ? dir : "/var/lib/steer", "rules"));

    public string Path => file.Path;

    public RuleSet Load() => Parse(file.Read());

    /// <summary>Applies <paramref name="change"/> to the stored rules under the file's lock.
    /// A rule for a destination that already has one replaces it: the newest word wins.</summary>
    public RuleSet Change(Func<List<Rule>, List<Rule>> change)
    {
        RuleSet result = RuleSet.Empty;
        file.Update(text =>
        {
            var next = change([.. Parse(text)]);
            if (!RuleSet.TryBuild(next, out var built, out var conflicts))
                throw new UsageException(string.Join('\n', conflicts.Select(c => c.Message)));
            result = built;
            return RuleFile.Format(built);
        });
        return result;
    }

    /// <summary>Drops rules whose destination and conditions equal those of a rule in <paramref name="added"/>.</summary>
    public static List<Rule> Upsert(List<Rule> rules, IReadOnlyCollection<Rule> added)
    {
        var destinations = added.Select(r => (r.Destination, r.Conditions)).ToHashSet();
        rules.RemoveAll(r => destinations.Contains((r.Destination, r.Conditions)));
        rules.AddRange(added);
        return rules;
    }

    private RuleSet Parse(string? text)
    {
        if (text is null)
            return RuleSet.Empty;
        try
        {
            return RuleFile.Parse(new StringReader(text), Path);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{Path} is damaged; fix or remove it:\n{e.Message}");
        }
    }
}
