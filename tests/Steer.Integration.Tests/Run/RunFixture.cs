using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>Two uplinks to one server with the echo service on port 7000 and on port 53.</summary>
public sealed class RunLabFixture : IAsyncLifetime
{
    public const int Port = 7000;
    public Steer.Lab.Lab? Lab { get; private set; }
    public EchoServer? Echo { get; private set; }
    public EchoServer? Dns { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        Lab = await TwoUplinks.BuildAsync();
        Echo = Lab["server"].Echo(Port);
        Dns = Lab["server"].Echo(53);
    }

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
            await Lab.DisposeAsync();
    }
}
