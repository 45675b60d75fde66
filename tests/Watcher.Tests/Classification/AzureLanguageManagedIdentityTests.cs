using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Classification;

namespace Watcher.Tests.Classification;

/// <summary>Tests that set process environment variables, so they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// With no key, the azure-language backend authenticates with managed identity: the App Service
/// managed-identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER) is a local HTTP server here,
/// and the replay runs on HTTPS because Azure.Core sends bearer tokens over TLS only.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureLanguageManagedIdentityTests
{
    private const string IdentityHeader = "replay-identity-header";

    [Fact]
    public async Task No_key_means_a_managed_identity_token_for_the_Cognitive_Services_scope_on_every_request()
    {
        using var certificate = SelfSignedLoopbackCertificate();
        await using var service = await LanguageServiceReplay.StartAsync(certificate);
        await using var identity = await TokenEndpoint.StartAsync();
        var saved = new[] { "IDENTITY_ENDPOINT", "IDENTITY_HEADER" }.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", identity.Endpoint.AbsoluteUri);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", IdentityHeader);
        try
        {
            service.Entities.Add(("Telia", "Organization"));
            var options = Classifiers.OptionsFrom($$"""{ "Watcher": { "Classifier": { "Backend": "azure-language", "Endpoint": "{{service.Endpoint}}", "PollInterval": "00:00:00.020" } } }""");
            var clientOptions = AzureLanguageClassifierTests.ClientOptions();
            clientOptions.Transport = new HttpClientTransport(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
            });
            await using var provider = AzureLanguageClassifierTests.Services(options, clientOptions: clientOptions);
            var classifier = provider.GetRequiredService<IArticleClassifier>();

            var result = await classifier.ClassifyAsync(new("m1", "Sweden bans Huawei from 5G", "Sweden has banned Huawei from its 5G networks. Telia must remove the equipment by 2025.", null), CancellationToken.None);

            Assert.Contains(new NamedEntity("Telia", "Company"), result.Entities);
            Assert.Equal(AzureLanguageClassifier.SummarizerName, result.SummaryBy);
            var requests = service.Requests.ToList();
            Assert.Contains(requests, r => r.Kind == "EntityRecognition");
            Assert.Contains(requests, r => r.Method == "GET");
            Assert.All(requests, r => Assert.Equal("Bearer " + TokenEndpoint.AccessToken, r.Authorization));
            Assert.All(requests, r => Assert.Equal("", r.SubscriptionKey));
            var token = Assert.Single(identity.Requests);
            Assert.Equal("https://cognitiveservices.azure.com", token.Resource);
            Assert.Equal(IdentityHeader, token.Header);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>The App Service managed-identity endpoint (api-version 2019-08-01) on 127.0.0.1.</summary>
    private sealed class TokenEndpoint : IAsyncDisposable
    {
        public const string AccessToken = "replay-managed-identity-token";

        private readonly WebApplication app;

        private TokenEndpoint(WebApplication app) => this.app = app;

        public Uri Endpoint { get; private set; } = null!;

        public ConcurrentQueue<(string Resource, string Header)> Requests { get; } = new();

        public static async Task<TokenEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var endpoint = new TokenEndpoint(app);
            app.Run(async context =>
            {
                var resource = context.Request.Query["resource"].ToString();
                endpoint.Requests.Enqueue((resource, context.Request.Headers["X-IDENTITY-HEADER"].ToString()));
                context.Response.ContentType = "application/json";
                var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
                await context.Response.WriteAsync($$"""{"access_token":"{{AccessToken}}","expires_on":"{{expires}}","resource":"{{resource}}","token_type":"Bearer"}""");
            });
            await app.StartAsync();
            endpoint.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return endpoint;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
