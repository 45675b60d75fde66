using System.Net;
using System.Web;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Watcher.Delivery;
using Watcher.Hosting;

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
        var form = new List<KeyValuePair<string, string>>();
        if (request.Method == "POST")
        {
            var fields = HttpUtility.ParseQueryString(await request.ReadAsStringAsync() ?? "");
            foreach (var key in fields.AllKeys.OfType<string>())
            {
                form.AddRange((fields.GetValues(key) ?? []).Select(value => new KeyValuePair<string, string>(key, value)));
            }
        }

        var page = await endpoint.HandleAsync(request.Method, request.Query["token"], form, cancellationToken);
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
