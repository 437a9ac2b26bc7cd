using System.Security.Claims;
using OrleansLicenses.Access;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>Turns the validated token into the <see cref="Caller"/> that grain methods receive.</summary>
public static class CurrentCaller
{
    public static Caller ToCaller(this ClaimsPrincipal user, HttpContext http)
    {
        var role = user.FindFirst(ClaimNames.Role)?.Value
            ?? throw new InvalidOperationException("An authenticated principal without a role reached a handler.");
        var subject = role == Roles.Holder
            ? $"{user.FindFirst(ClaimNames.IdType)?.Value}:{user.FindFirst(ClaimNames.IdNumber)?.Value}"
            : user.FindFirst(ClaimNames.ClientId)?.Value ?? user.FindFirst(ClaimNames.Subject)?.Value ?? "";
        return new Caller(subject, role, user.FindFirst(ClaimNames.Unit)?.Value, user.FindFirst(ClaimNames.Region)?.Value, http.TraceIdentifier);
    }
}
