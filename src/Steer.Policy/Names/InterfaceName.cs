using System.Text;

namespace Steer.Policy.Names;

/// <summary>
/// Linux network interface names as the kernel accepts them (net/core/dev.c, dev_valid_name):
/// 1..15 bytes (IFNAMSIZ 16 with the NUL), not "." or "..", and no '/', ':' or whitespace.
/// </summary>
/// <remarks>
/// Steer is stricter in two ways, each because such a name can never name a real interface or
/// cannot be written back safely: '%' is a template the kernel expands when it creates an interface
/// ("eth%d" becomes eth0), so no interface has it in its name; and only printable ASCII is accepted,
/// because the kernel's isspace() treats byte 0xA0 as a space, which rejects many UTF-8 names anyway.
/// </remarks>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ minus the terminating NUL.</summary>
    public const int MaxBytes = 15;

    /// <returns>null if the name is valid, else what is wrong with it (without the name as a prefix).</returns>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "an interface name cannot be empty";
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var problem = c switch
            {
                '/' => "'/' is not allowed in a Linux interface name",
                ':' => "':' is not allowed in a Linux interface name (eth0:1 was ifconfig's alias syntax; an alias is an address, not an interface)",
                '%' => "'%' is a template the kernel replaces when it creates an interface, so no interface has it in its name",
                _ when char.IsWhiteSpace(c) => "whitespace is not allowed in a Linux interface name",
                _ when c is < '!' or > '~' => $"character U+{(int)c:X4} is not allowed: Steer accepts printable ASCII interface names only",
                _ => null,
            };
            if (problem is not null)
                return $"{problem} (position {i + 1})";
        }
        if (name is "." or "..")
            return "'.' and '..' are not interface names";
        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxBytes
            ? $"'{name}' is {bytes} characters long; Linux interface names have at most {MaxBytes}"
            : null;
    }

    public static bool IsValid(string? name) => Validate(name) is null;
}
