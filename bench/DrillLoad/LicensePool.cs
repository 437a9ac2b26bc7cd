namespace OrleansLicenses.Drills;

/// <summary>Licences known to exist (acknowledged in this or an earlier drill): what the verification clients verify.</summary>
internal sealed class LicensePool
{
    private readonly Lock gate = new();
    private readonly List<(string Id, string Holder)> licenses = [];

    public int Count
    {
        get
        {
            lock (gate)
            {
                return licenses.Count;
            }
        }
    }

    public void Add(string id, string holder)
    {
        lock (gate)
        {
            licenses.Add((id, holder));
        }
    }

    /// <summary>Reads <c>acked-issues.csv</c> files of earlier drills (key, identifier, holder, ...).</summary>
    public void Load(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(',');
            if (parts.Length >= 3)
            {
                Add(parts[1], parts[2]);
            }
        }
    }

    public (string Id, string Holder)? Pick()
    {
        lock (gate)
        {
            return licenses.Count == 0 ? null : licenses[Random.Shared.Next(licenses.Count)];
        }
    }
}
