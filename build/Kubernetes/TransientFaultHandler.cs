using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Retries what is worth retrying on every request the Kubernetes client sends: refused or reset connections,
/// attempts that time out, 429 and 500-504, honouring Retry-After. Anything else (a 404, a 409, a 422) goes
/// straight back to the caller, which knows what it means.
/// </summary>
public sealed class TransientFaultHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    public TransientFaultHandler(RetryOptions options, Action<string> report)
    {
        pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => IsTransient(response.StatusCode)),
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Result, options.MaxDelay)),
                OnRetry = arguments =>
                {
                    var what = arguments.Outcome.Exception is { } exception
                        ? exception.Message
                        : $"{(int)arguments.Outcome.Result!.StatusCode} {arguments.Outcome.Result.StatusCode}";
                    var who = Answering(arguments.Outcome.Result?.RequestMessage?.RequestUri);
                    arguments.Outcome.Result?.Dispose();
                    report($"{who} ({what}); retry {arguments.AttemptNumber + 1} of {options.MaxRetries} in {arguments.RetryDelay.TotalSeconds:0.#}s.");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    // A 503 through the service proxy is the registry's own answer (not ready yet, or no ready pod), not the API server's.
    private static string Answering(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Split('/') ?? [];
        var proxy = Array.IndexOf(segments, "proxy");
        return proxy >= 4 && segments[proxy - 2] == "services"
            ? $"The registry behind service {segments[proxy - 3]}/{segments[proxy - 1].Split(':')[0]} is not ready (its answer through the API server's proxy)"
            : "The API server did not answer";
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The body is sent again on a retry, so it must be readable more than once.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        return await pipeline.ExecuteAsync(
            async token => await base.SendAsync(request, token),
            cancellationToken);
    }

    /// <summary>The server's Retry-After when it gave one (seconds or a date), capped; else the backoff decides.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } wait && wait > TimeSpan.Zero ? (wait < cap ? wait : cap) : null;
    }
}
