using Orleans.Concurrency;

namespace OrleansLicenses.Operations;

/// <summary>Stateless worker: activated locally on the gateway silo, so a readiness probe never crosses silos.</summary>
[StatelessWorker]
public sealed class PingGrain : Grain, IPingGrain
{
    Task<string> IPingGrain.PingAsync() => Task.FromResult(RuntimeIdentity);
}
