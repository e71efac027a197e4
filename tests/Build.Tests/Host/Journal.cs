namespace Registry.Build.Tests.Host;

/// <summary>What the example tasks and lifetimes did, in order.</summary>
public sealed class Journal
{
    private readonly List<string> entries = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (entries)
            {
                return [.. entries];
            }
        }
    }

    public void Add(string entry)
    {
        lock (entries)
        {
            entries.Add(entry);
        }
    }
}
