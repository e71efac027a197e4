using System.Net;
using System.Text.Json.Nodes;

namespace Registry.Build.Registry.Oci;

/// <summary>The registry refused a request; the message carries the distribution error codes it answered with.</summary>
public sealed class RegistryApiException(string what, HttpStatusCode status, string body)
    : Exception($"{what}: the registry answered {(int)status} {status}{Describe(body)}")
{
    public HttpStatusCode Status { get; } = status;

    private static string Describe(string body)
    {
        var errors = ErrorsIn(body);
        return errors.Count == 0 ? string.Empty : ": " + string.Join("; ", errors.Select(error => $"{error.Code} {error.Message}"));
    }

    private static List<(string Code, string Message)> ErrorsIn(string body)
    {
        try
        {
            return (JsonNode.Parse(body)?["errors"] as JsonArray)?.OfType<JsonObject>()
                .Select(error => (error["code"]?.GetValue<string>() ?? "UNKNOWN", error["message"]?.GetValue<string>() ?? string.Empty))
                .ToList() ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }
}
