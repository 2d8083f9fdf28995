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
        List<Rule> rules = [];
        if (File.Exists(ruleFile))
        {
            using var reader = new StreamReader(ruleFile);
            rules = RuleFile.ParseRules(reader, ruleFile);
        }
        if (configPath is not null)
            rules.AddRange(ConfigLoader.LoadOrThrow(File.ReadAllText(configPath), configPath).Rules);
        return RuleSet.TryBuild(rules, out var set, out var conflicts)
            ? set
            : throw new FormatException(string.Join('\n', conflicts.Select(c => $"{c.Rule.Location}: {c.Message}")));
    }
}
