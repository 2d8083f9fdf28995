using System.Text;
using System.Text.Json;

namespace Steer.Routing.Kernel;

/// <summary>
/// The original values of the sysctls the route plane changed, in a small JSON file under
/// /run/steer: written before a value is changed, so that stop — or the next daemon, after a
/// crash — restores exactly what was there. No file: Steer changed nothing.
/// </summary>
public sealed class SysctlStore(string? path)
{
    public string? Path { get; } = path;

    public Dictionary<string, string> Load()
    {
        var saved = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Path is null || !File.Exists(Path))
            return saved;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path));
        foreach (var property in doc.RootElement.EnumerateObject())
            saved[property.Name] = property.Value.GetString() ?? "";
        return saved;
    }

    public void Save(IReadOnlyDictionary<string, string> saved)
    {
        if (Path is null)
            return;
        if (saved.Count == 0)
        {
            File.Delete(Path);
            return;
        }
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (key, value) in saved.OrderBy(s => s.Key, StringComparer.Ordinal))
                json.WriteString(key, value);
            json.WriteEndObject();
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, Encoding.UTF8.GetString(stream.ToArray()));
        File.Move(temporary, Path, overwrite: true);
    }
}
