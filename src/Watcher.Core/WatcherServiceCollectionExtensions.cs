using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds.Fetching;
using Watcher.Feeds;
using Watcher.Mail;
using Watcher.Storage;
using Watcher.Subscribers;

namespace Watcher;

public static class WatcherServiceCollectionExtensions
{
    /// <summary>
    /// Registers the core for either host: the validated <c>Watcher</c> options and every
    /// entry point (<see cref="FeedPoller"/>, <see cref="ArticleClassificationService"/>,
    /// <see cref="SummaryDeliveryService"/>, <see cref="DigestService"/>).
    /// </summary>
    public static IServiceCollection AddWatcherCore(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WatcherOptions.SectionName);
        services.AddOptions<WatcherOptions>()
            .Configure(_ =>
            {
                // Before binding: the binder drops a list entry it cannot convert without a word.
                if (SettingConversionCheck.Find(section, typeof(WatcherOptions)) is { Count: > 0 } failures)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(WatcherOptions), failures);
                }
            })
            .Bind(section)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WatcherOptions>, WatcherOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<WatcherStorage>();
        services.AddSingleton<ArticleStore>();
        services.AddSingleton<FeedFetcher>();
        services.AddSingleton<FeedStateStore>();
        services.AddSingleton<FeedPoller>();
        services.AddSingleton<Watcher.Feeds.Fetching.FeedHealthReporter>();
        services.AddSingleton<ArticlePageReader>();
        services.AddSingleton<SimilarStoryIndex>();
        services.AddSingleton<IArticleClassifier>(ClassifierFactory.Create);
        services.AddSingleton<ArticleClassificationService>();
        services.AddSingleton<SubscriberDirectory>();
        services.AddSingleton<DigestStore>();
        services.AddSingleton<DigestRenderer>();
        services.AddSingleton<DigestSender>();
        services.AddSingleton<DigestService>();
        services.AddSingleton<MailComposer>();
        services.AddSingleton<PreferenceTokens>();
        services.AddSingleton<SummaryDeliveryService>();
        services.AddSingleton<SendRateLimiter>();
        services.AddSingleton<PreferencesEndpoint>();
        services.AddSingleton<PoisonQueue>();
        services.AddSingleton<Retention>();
        services.AddSingleton<IMailTransport>(sp => ActivatorUtilities.CreateInstance<MailServerCircuit>(
            sp,
            sp.GetRequiredService<IOptions<WatcherOptions>>().Value.Smtp.Transport == "pickup"
                ? ActivatorUtilities.CreateInstance<PickupDirectoryMailTransport>(sp)
                : ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)));
        return services;
    }
}
