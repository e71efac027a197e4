using System.Net;
using System.Text.Json.Nodes;

namespace Registry.Build.Kubernetes;

/// <summary>The API server refused a request; the message carries what it said, which is usually the fix.</summary>
public sealed class KubernetesApiException(string method, string path, HttpStatusCode status, string serverMessage)
    : Exception($"{method} {path}: the API server answered {(int)status} {status}: {serverMessage}")
{
    public HttpStatusCode Status { get; } = status;

    public string ServerMessage { get; } = serverMessage;

    /// <summary>The <c>message</c> of a Kubernetes Status body, else the body itself.</summary>
    public static string MessageFrom(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject status && status["message"]?.GetValue<string>() is { Length: > 0 } message)
            {
                return message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return body.Length == 0 ? "(no message)" : body.Trim();
    }
}
