namespace OrleansLicenses.Operations;

/// <summary>A stateless, local grain the API host calls to learn whether the cluster answers (readiness).</summary>
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the silo that served the call.</summary>
    Task<string> PingAsync();
}
