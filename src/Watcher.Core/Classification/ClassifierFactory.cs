using Azure;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>Builds the classifier <c>Watcher:Classifier:Backend</c> names.</summary>
public static class ClassifierFactory
{
    public static IArticleClassifier Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<WatcherOptions>>();
        var local = new LocalClassifier(options);
        var settings = options.Value.Classifier;
        if (settings.Backend != "azure-language")
        {
            return local;
        }

        var clientOptions = services.GetService<AzureLanguageClientOptions>() ?? new AzureLanguageClientOptions();
        clientOptions.PollInterval = settings.PollInterval;
        clientOptions.JobTimeout = settings.JobTimeout;
        var endpoint = new Uri(settings.Endpoint!);
        var clientLogger = services.GetRequiredService<ILogger<AzureLanguageClient>>();
        var client = string.IsNullOrWhiteSpace(settings.Key)
            ? new AzureLanguageClient(endpoint, new DefaultAzureCredential(), clientOptions, clientLogger)
            : new AzureLanguageClient(endpoint, new AzureKeyCredential(settings.Key), clientOptions, clientLogger);
        return new AzureLanguageClassifier(client, local, settings.FallbackToLocal, services.GetRequiredService<ILogger<AzureLanguageClassifier>>());
    }
}
