using OrleansLicenses.Sync;
using Xunit;

namespace OrleansLicenses.Tests.Sync;

public sealed class MerkleTreeTests
{
    private static readonly DateOnly Day = new(2026, 6, 1);

    private static List<DigestLeaf> Leaves(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new DigestLeaf($"1.2.156.3005.2.X.{i:D4}", "001", "valid", MerkleTree.DocumentHash($"doc {i}"), Day))];

    [Fact]
    public void Root_OfNoLeaves_IsSm3OfNothing() =>
        Assert.Equal("1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b", MerkleTree.Root([]));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Root_DoesNotDependOnReadingOrder_ButOnEveryLeaf(int n)
    {
        var leaves = Leaves(n);
        var root = MerkleTree.Root(leaves);
        Assert.Equal(root, MerkleTree.Root(Enumerable.Reverse(leaves)));
        for (var i = 0; i < n; i++)
        {
            var changed = leaves.ToList();
            changed[i] = changed[i] with { Status = "suspended" };
            Assert.NotEqual(root, MerkleTree.Root(changed));
        }

        Assert.NotEqual(root, MerkleTree.Root(leaves.Skip(1)));
    }

    [Fact]
    public void Digest_GivesEachIssueDayItsOwnRoot()
    {
        var leaves = Leaves(4);
        leaves[3] = leaves[3] with { Day = Day.AddDays(1) };
        var digest = DigestQuery.Digest("issuer", null, null, leaves, withLeaves: false);
        Assert.Equal(4, digest.Count);
        Assert.Equal([3, 1], digest.Days.Select(d => d.Count));
        Assert.Equal(MerkleTree.Root(leaves.Take(3)), digest.Days[0].Root);
        Assert.Null(digest.Leaves);
    }

    [Fact]
    public void Backoff_GrowsToItsCap_WithinHalfAndOneAndAHalfOfTheStep()
    {
        var random = new Random(7);
        var max = TimeSpan.FromSeconds(30);
        for (var failures = 1; failures < 20; failures++)
        {
            var step = Math.Min(250 * Math.Pow(2, failures - 1), max.TotalMilliseconds);
            var delay = Backoff.Delay(failures, max, random).TotalMilliseconds;
            Assert.InRange(delay, step * 0.5, step * 1.5);
        }
    }
}
