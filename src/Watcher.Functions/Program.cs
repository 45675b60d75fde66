using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Watcher;
using Watcher.Configuration;

var builder = FunctionsApplication.CreateBuilder(args);

// The built-in topics and the shipped watcher.json sit beneath the worker's own sources, so an
// app setting such as Watcher__Smtp__Port overrides them. AddWatcherCore validates the section
// when the host starts: a bad setting stops it with a message naming that setting.
builder.Configuration.InsertWatcherFilesFirst(Path.Combine(AppContext.BaseDirectory, "watcher.json"));
builder.Services.AddWatcherCore(builder.Configuration);

builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// The Application Insights SDK adds a rule that keeps only warnings; the core logs what it
// fetched, classified and mailed at Information, which is what an operator looks for.
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    var warningsOnly = options.Rules.FirstOrDefault(rule =>
        rule.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
    if (warningsOnly is not null)
    {
        options.Rules.Remove(warningsOnly);
    }
});

await builder.Build().RunAsync();
