using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Daemon;

/// <summary>Where rules come from: steer.yaml's rules: section and the rule file of `steer rule`.</summary>
public static class RuleSources
{
    /// <summary>Both as one set: a destination with two actions is an error naming both places.</summary>
    /// <exception cref="FormatException">Conflicts, or a damaged rule file (FILE:LINE).</exception>
    /// <exception cref="ConfigException">steer.yaml does not load (file:line:column).</exception>
    public static RuleSet Load(string? configPath, string ruleFile)
    {
        // Streamed into the set, the rule file first: a million rules are never all objects at once.
        var exists = File.Exists(ruleFile);
        var rules = exists ? RuleFile.ReadFile(ruleFile) : [];
        if (configPath is not null)
            rules = rules.Concat(ConfigRules(configPath));
        return RuleSet.TryBuild(rules, exists ? RuleFile.EstimateCount(ruleFile) : 0, out var set, out var conflicts)
            ? set
            : throw new FormatException(string.Join('\n', conflicts.Select(c => $"{c.Rule.Location}: {c.Message}")));
    }

    // Loaded when the set gets to them, after the rule file, as before it was streamed.
    private static IEnumerable<Rule> ConfigRules(string configPath)
    {
        foreach (var rule in ConfigLoader.LoadOrThrow(File.ReadAllText(configPath), configPath).Rules)
            yield return rule;
    }
}
