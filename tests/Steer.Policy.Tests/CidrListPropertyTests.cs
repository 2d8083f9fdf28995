using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace Steer.Policy.Tests;

public class CidrListPropertyTests
{
    // The address is drawn near one of the networks so that matches are common, not lucky.
    private static readonly Gen<(List<Cidr> Networks, IPAddress Address)> NetworksAndAddress =
        from networks in Generators.AnyCidr.ListOf().Select(l => l.ToList())
        from address in networks.Count == 0 ? Generators.AnyAddress : Gen.Elements<Cidr>(networks).SelectMany(n => Generators.Near(n))
        select (networks, address);

    [Fact]
    public void Contains_agrees_with_any_network_containing() =>
        Check.One(Generators.Config, Prop.ForAll(
            NetworksAndAddress.ToArbitrary(),
            t =>
            {
                var (networks, address) = t;
                var list = new CidrList(networks);
                Assert.Equal(networks.Any(n => n.Contains(address)), list.Contains(address));
            }));

    [Fact]
    public void Longest_match_is_the_most_specific_containing_network() =>
        Check.One(Generators.Config, Prop.ForAll(
            NetworksAndAddress.ToArbitrary(),
            t =>
            {
                var (networks, address) = t;
                var containing = networks.Where(n => n.Contains(address)).ToList();
                var found = new CidrList(networks).TryFindLongestMatch(address, out var match);
                Assert.Equal(containing.Count > 0, found);
                if (found)
                    Assert.Equal(containing.MaxBy(n => n.PrefixLength), match);
            }));

    [Fact]
    public void Parsing_the_printed_list_gives_the_same_list() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.AnyCidr.ListOf().ToArbitrary(), networks =>
        {
            var list = new CidrList(networks);
            Assert.Equal(networks.Distinct(), list);
            Assert.Equal(list, list.Count == 0 ? list : CidrList.Parse([list.ToString()]));
        }));
}
