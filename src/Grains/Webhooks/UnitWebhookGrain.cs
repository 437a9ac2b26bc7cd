using OrleansLicenses.Hosting;
using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Units;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// Owns one unit's webhook configuration (one grain per unit, so two changes of the same unit never interleave). The
/// secret is encrypted before it is stored (<see cref="WebhookSecrets"/>) and never returned.
/// </summary>
public sealed class UnitWebhookGrain(WebhookStore store, WebhookSecrets secrets, TimeProvider time) : Grain, IUnitWebhookGrain
{
    private string UnitCode => this.GetPrimaryKeyString();

    async Task<WebhookView> IUnitWebhookGrain.ConfigureAsync(ConfigureWebhook command, Caller caller)
    {
        await CheckAccessAsync(caller);
        if (!WebhookRules.TryValidateUrl(command.Url, out var urlError))
        {
            throw DomainException.Invalid("webhook.invalid_url", "url", $"url {urlError}");
        }

        if (!WebhookRules.TryValidateSecret(command.Secret, out var secretError))
        {
            throw DomainException.Invalid("webhook.invalid_secret", "secret", $"secret {secretError}");
        }

        var at = await store.UpsertAsync(UnitCode, command.Url, secrets.Protect(UnitCode, command.Secret), time.GetUtcNow());
        return new WebhookView(UnitCode, command.Url, at);
    }

    async Task<bool> IUnitWebhookGrain.RemoveAsync(Caller caller)
    {
        await CheckAccessAsync(caller);
        return await store.RemoveAsync(UnitCode, time.GetUtcNow());
    }

    /// <summary>Admins, and the unit's own issuer and verifier clients, for a defined unit; anyone else learns nothing.</summary>
    private async Task CheckAccessAsync(Caller caller)
    {
        var own = caller.Role is Roles.Issuer or Roles.Verifier && caller.UnitCode == UnitCode;
        if ((!caller.IsAdmin && !own) || await GrainFactory.Get<IUnitGrain>(UnitCode).GetAsync() is null)
        {
            throw DomainException.NotFound("unit.not_found", "No such unit.");
        }
    }
}
