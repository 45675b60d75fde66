using System.Net;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker;
using Watcher.Delivery;
using Watcher.Hosting;
using Watcher.Subscribers;

namespace Watcher.Functions;

/// <summary>
/// HTTP trigger: the preferences page behind every mail's signed link, and the RFC 8058
/// one-click unsubscribe POST. Anonymous, because the signed token is the authorization.
/// </summary>
public sealed class PreferencesFunction(PreferencesEndpoint endpoint)
{
    [Function(FunctionNames.Preferences)]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = PreferencesEndpoint.Route)] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyValuePair<string, string>> form = [];
        PreferencesResponse? refusal = null;
        if (string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            (form, refusal) = await PreferencesEndpoint.ReadFormAsync(request.Body, cancellationToken);
        }

        var page = refusal ?? await endpoint.HandleAsync(request.Method, request.Query["token"], form, cancellationToken);
        var response = request.CreateResponse((HttpStatusCode)page.StatusCode);
        response.Headers.Add("Content-Type", PreferencesResponse.ContentType);
        foreach (var (name, value) in PreferencesResponse.Headers)
        {
            response.Headers.Add(name, value);
        }

        await response.WriteStringAsync(page.Html, cancellationToken);
        return response;
    }
}
