using FsCheck;
using FsCheck.Fluent;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>What the writer builds, the readers read back: attributes, nesting, padding, lengths.</summary>
public sealed class NetlinkWriterTests
{
    private sealed record Attr(ushort Type, byte[] Value, Attr[] Children);

    private static readonly Gen<ushort> Types = Gen.Choose(1, Nl.NLA_TYPE_MASK).Select(t => (ushort)t);
    private static readonly Gen<byte[]> Values = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    private static Gen<Attr> Attrs(int depth) =>
        depth == 0
            ? from t in Types from v in Values select new Attr(t, v, [])
            : Gen.OneOf(Attrs(0),
                from t in Types
                from n in Gen.Choose(0, 3)
                from children in Gen.ArrayOf(Attrs(depth - 1), n)
                select new Attr(t, [], children));

    [Fact]
    public void Random_attribute_trees_round_trip()
    {
        var trees = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Attrs(2), n));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(trees.ToArbitrary(), (Attr[] attrs) =>
        {
            var buffer = new byte[16 * 1024];
            var w = new NetlinkMessageWriter(buffer, Rt.RTM_NEWLINK, Nl.NLM_F_REQUEST);
            w.AddFixed(Rt.IfInfoMsgSize);
            foreach (var a in attrs)
                Write(ref w, a);
            var bytes = w.Finish(42).ToArray();

            var reader = new NetlinkMessageReader(bytes);
            Assert.True(reader.TryRead(out var message));
            Assert.Equal(Rt.RTM_NEWLINK, message.Type);
            Assert.Equal(42u, message.Sequence);
            Assert.Equal(bytes.Length, Nl.HeaderSize + message.Payload.Length);
            Assert.False(reader.TryRead(out _));
            Assert.Equal(attrs, Read(new NetlinkAttributeReader(message.Payload[Rt.IfInfoMsgSize..])), AttrComparer.Instance);
        }));
    }

    [Fact]
    public void A_request_too_large_for_its_buffer_throws_instead_of_truncating()
    {
        var buffer = new byte[32];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var w = new NetlinkMessageWriter(buffer, Rt.RTM_GETLINK, Nl.NLM_F_REQUEST);
            w.AddString(Rt.IFLA_IFNAME, "longer than sixteen bytes");
        });
    }

    private static void Write(ref NetlinkMessageWriter w, Attr a)
    {
        if (a.Children.Length == 0)
        {
            w.AddAttribute(a.Type, a.Value);
            return;
        }
        int nest = w.BeginNested(a.Type);
        foreach (var child in a.Children)
            Write(ref w, child);
        w.EndNested(nest);
    }

    private static Attr[] Read(NetlinkAttributeReader reader)
    {
        var read = new List<Attr>();
        while (reader.TryRead(out var a))
            read.Add(a.IsNested ? new Attr(a.Type, [], Read(a.GetNested())) : new Attr(a.Type, a.Payload.ToArray(), []));
        return [.. read];
    }

    private sealed class AttrComparer : IEqualityComparer<Attr>
    {
        public static readonly AttrComparer Instance = new();
        public bool Equals(Attr? x, Attr? y) =>
            x is not null && y is not null && x.Type == y.Type && x.Value.AsSpan().SequenceEqual(y.Value)
            && x.Children.SequenceEqual(y.Children, this);
        public int GetHashCode(Attr obj) => obj.Type;
    }
}
