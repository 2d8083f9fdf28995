global using Xunit;
global using Steer.Dns;
global using Steer.PassiveDns.Packets;
