using System.Net;
using System.Net.Sockets;

namespace Steer.Policy.Configuration;

/// <summary>
/// An IP address and a port, written "192.0.2.53:53" or "[2001:db8::53]:53". Unlike IPEndPoint it
/// cannot be changed after it is made, and it compares by value.
/// </summary>
public readonly record struct Endpoint
{
    private readonly IPAddress? _address;

    public Endpoint(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        // A private copy: IPAddress has setters (ScopeId), and this record must not change under us.
        _address = new IPAddress(address.GetAddressBytes());
        Port = port;
    }

    public IPAddress Address => _address ?? IPAddress.Any;

    public int Port { get; }

    public IPEndPoint ToIPEndPoint() => new(new IPAddress(Address.GetAddressBytes()), Port);

    public override string ToString() =>
        Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
