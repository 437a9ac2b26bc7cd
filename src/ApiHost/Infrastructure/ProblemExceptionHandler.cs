using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using OrleansLicenses.Errors;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// The one exception-to-problem mapping. Domain exceptions carry their status kind and stable code; a request
/// the framework could not read keeps its 400/413/415; a cluster or database that does not answer is 503 with
/// Retry-After, wherever its exception sits in the chain (<see cref="TransientFailures"/>); a request its client
/// abandoned is 499. Anything else is a 500 that says nothing about internals.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, code, fields) = Classify(exception, http.Request.Path, http.RequestAborted.IsCancellationRequested);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "5";
            LogUnavailable(logger, exception.GetType().Name);
        }
        else if (status == StatusCodes.Status429TooManyRequests)
        {
            http.Response.Headers.RetryAfter = "3600"; // a domain budget (comparisons per hour) refills within the hour
        }
        else if (status == StatusCodes.Status499ClientClosedRequest)
        {
            LogClientClosed(logger, http.Request.Path);
        }
        else if (status >= 500)
        {
            LogUnhandled(logger, exception);
        }

        http.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        if (fields is { Count: > 0 })
        {
            // The same shape as the edge's own ValidationProblem: every bad field with its messages.
            problem.Extensions["errors"] = fields.GroupBy(f => f.Field, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(f => f.Message).ToArray(), StringComparer.Ordinal);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = null });
    }

    private static bool IsMalformedInput(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is FormatException or ArgumentException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The status this handler answers an exception with (the audit trail records it as the outcome).</summary>
    public static int StatusCodeFor(Exception exception, PathString path, bool requestAborted = false) => Classify(exception, path, requestAborted).Status;

    private static (int Status, string Title, string? Detail, string? Code, IReadOnlyList<FieldError>? Fields) Classify(Exception exception, PathString path, bool requestAborted)
    {
        // The Orleans dashboard parses its route values (silo addresses, grain ids) itself and throws on a malformed one,
        // sometimes wrapped (a proxy grain that could not be created): that is the caller's input, a 400.
        if (path.StartsWithSegments("/dashboard") && IsMalformedInput(exception))
        {
            return (StatusCodes.Status400BadRequest, "The request is invalid.", "A dashboard route value is malformed.", "request.invalid", null);
        }

        // The client went away: nobody reads the answer, and it is no fault of the platform's.
        if (requestAborted && exception is OperationCanceledException)
        {
            return (StatusCodes.Status499ClientClosedRequest, "The client closed the request.", null, "request.aborted", null);
        }

        var classified = ClassifyException(exception);
        if (classified.Status != StatusCodes.Status500InternalServerError || TransientFailures.Find(exception) is not { } transient)
        {
            return classified;
        }

        return transient is ServiceUnavailableException u
            ? (StatusCodes.Status503ServiceUnavailable, "The licence service is temporarily unavailable.", "Retry after a few seconds.", u.Code, null)
            : (StatusCodes.Status503ServiceUnavailable, "The licence service is temporarily unavailable.", "Retry after a few seconds.", "service.unavailable", null);
    }

    private static (int Status, string Title, string? Detail, string? Code, IReadOnlyList<FieldError>? Fields) ClassifyException(Exception exception) => Unwrap(exception) switch
    {
        DomainException d => (d.Kind switch
        {
            DomainErrorKind.NotFound => StatusCodes.Status404NotFound,
            DomainErrorKind.Conflict => StatusCodes.Status409Conflict,
            DomainErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
            DomainErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            DomainErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        }, Title(d.Kind), d.Message, d.Code, d.Errors),
        // Two writers raced on one grain's state (possible for a moment during cluster changes): the loser's change
        // was not stored; reading again and retrying is the answer, as for any other conflict.
        Orleans.Storage.InconsistentStateException => (StatusCodes.Status409Conflict, "The resource was changed concurrently.",
            "Read it again and retry.", "concurrency.conflict", null),
        BadHttpRequestException b => (b.StatusCode, "The request could not be read.", Describe(b), "request.unreadable", null),
        JsonException j => (StatusCodes.Status400BadRequest, "The request body is not valid JSON.", JsonDetail(j), "request.invalid_json", null),
        _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null, "server.error", null),
    };

    /// <summary>
    /// Orleans wraps what a grain's storage provider throws (e.g. while activating) in an <see cref="OrleansException"/>,
    /// and tasks wrap in an <see cref="AggregateException"/>; the platform's own error inside such a wrapper decides the
    /// answer (the same chain walk as <see cref="TransientFailures"/>). Other exceptions are classified as they are.
    /// </summary>
    private static Exception Unwrap(Exception exception) => exception is OrleansException or AggregateException
        ? ExceptionCauses.Of(exception).FirstOrDefault(e => e is ServiceUnavailableException or DomainException) ?? exception
        : exception;

    private static string Title(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.NotFound => "Not found.",
        DomainErrorKind.Conflict => "The operation conflicts with the current state.",
        DomainErrorKind.Unprocessable => "The request cannot be processed.",
        DomainErrorKind.Forbidden => "Forbidden.",
        DomainErrorKind.TooManyRequests => "Too many requests.",
        _ => "The request is invalid.",
    };

    private static string Describe(BadHttpRequestException b) => b.InnerException switch
    {
        JsonException j => JsonDetail(j),
        _ => b.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            _ => b.Message,
        },
    };

    // JsonException messages name the path and position, never the offending value.
    private static string JsonDetail(JsonException j) =>
        j.Path is { Length: > 0 } path ? $"The body is not valid JSON at {path}: {FirstSentence(j.Message)}" : $"The body is not valid JSON: {FirstSentence(j.Message)}";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster or database unavailable ({ExceptionType}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "The client closed the request to {Path} before it was answered")]
    private static partial void LogClientClosed(ILogger logger, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
