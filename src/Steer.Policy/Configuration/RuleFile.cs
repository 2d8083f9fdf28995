using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// The text of Steer's rule state file (/var/lib/steer/rules.yaml): the rules added with
/// <c>steer rule add/import</c>, kept across stop, start and reboots. It is a steer.yaml with only
/// a <c>rules:</c> section, so it reads, validates and reports errors exactly like the config.
/// </summary>
public static class RuleFile
{
    private const string Header = """
        # Rules added with `steer rule add` and `steer rule import`; Steer rewrites this file.
        # Same syntax as the rules: section of steer.yaml (docs/configuration.md).

        """;

    /// <summary>The file's text for <paramref name="rules"/>, in canonical order.</summary>
    public static string Format(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new System.Text.StringBuilder(Header);
        text.Append(rules.Count == 0 ? "rules: []\n" : "rules:\n");
        foreach (var rule in rules.CanonicalOrder)
            text.Append("  - ").Append(CanonicalYamlWriter.Rule(rule)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads the file's rules; anything but a rules: section is an error with file:line.</summary>
    public static ConfigResult Load(string text, string fileName)
    {
        var result = ConfigLoader.Load(text, fileName);
        if (result.Config is { } config && (config.Uplinks.Count > 0 || config.Sources.Count > 0 || config.Dns is not null || config.Proxy is not null))
            return new ConfigResult(null, [new ConfigDiagnostic(new SourceLocation(fileName, 1, 1), DiagnosticSeverity.Error,
                "the rule state file holds only a rules: section; put uplinks, sources, dns and proxy in steer.yaml")], result.Warnings);
        return result;
    }
}
