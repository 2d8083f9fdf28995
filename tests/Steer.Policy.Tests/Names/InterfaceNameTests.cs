using Steer.Policy.Names;

namespace Steer.Policy.Tests.Names;

public class InterfaceNameTests
{
    [Theory]
    [InlineData("eth0")]
    [InlineData("wg0")]
    [InlineData("enp0s31f6")]
    [InlineData("veth-a.100")]
    [InlineData("a")]
    [InlineData("abcdefghijklmno")]
    [InlineData("br_lan@x")]
    public void Accepts_kernel_names(string name) => Assert.Null(InterfaceName.Validate(name));

    [Theory]
    [InlineData("", "an interface name cannot be empty")]
    [InlineData("abcdefghijklmnop", "'abcdefghijklmnop' is 16 characters long; Linux interface names have at most 15")]
    [InlineData(".", "'.' and '..' are not interface names")]
    [InlineData("..", "'.' and '..' are not interface names")]
    [InlineData("eth/0", "'/' is not allowed in a Linux interface name (position 4)")]
    [InlineData("eth0:1", "':' is not allowed in a Linux interface name (eth0:1 was ifconfig's alias syntax; an alias is an address, not an interface) (position 5)")]
    [InlineData("eth 0", "whitespace is not allowed in a Linux interface name (position 4)")]
    [InlineData("eth0\t", "whitespace is not allowed in a Linux interface name (position 5)")]
    [InlineData("eth%d", "'%' is a template the kernel replaces when it creates an interface, so no interface has it in its name (position 4)")]
    [InlineData("ethé", "character U+00E9 is not allowed: Steer accepts printable ASCII interface names only (position 4)")]
    public void Refuses_with_the_reason(string name, string expected) => Assert.Equal(expected, InterfaceName.Validate(name));
}
