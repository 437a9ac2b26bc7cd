using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace OrleansLicenses.Sync;

/// <summary>
/// The SM3 Merkle tree of a consistency digest. A leaf is SM3(0x00 ‖ identifier ‖ LF ‖ version ‖ LF ‖ status ‖ LF ‖
/// document hash); an inner node SM3(0x01 ‖ left ‖ right); a node without a partner moves up unchanged; the root of no
/// leaves is SM3 of nothing. Leaves are taken in ordinal identifier order, so two libraries holding the same licences
/// compute the same root whatever order they read them in.
/// </summary>
public static class MerkleTree
{
    public static string DocumentHash(string canonical) => Convert.ToHexStringLower(Sm3([.. Encoding.UTF8.GetBytes(canonical)]));

    public static string Root(IEnumerable<DigestLeaf> leaves)
    {
        var level = leaves.OrderBy(l => l.Identifier, StringComparer.Ordinal)
            .Select(l => Sm3([0x00, .. Encoding.UTF8.GetBytes($"{l.Identifier}\n{l.Version}\n{l.Status}\n{l.DocumentHash}")]))
            .ToList();
        if (level.Count == 0)
        {
            return Convert.ToHexStringLower(Sm3([]));
        }

        while (level.Count > 1)
        {
            var next = new List<byte[]>((level.Count + 1) / 2);
            for (var i = 0; i < level.Count; i += 2)
            {
                next.Add(i + 1 < level.Count ? Sm3([0x01, .. level[i], .. level[i + 1]]) : level[i]);
            }

            level = next;
        }

        return Convert.ToHexStringLower(level[0]);
    }

    private static byte[] Sm3(byte[] data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data, 0, data.Length);
        var result = new byte[digest.GetDigestSize()];
        digest.DoFinal(result, 0);
        return result;
    }
}
