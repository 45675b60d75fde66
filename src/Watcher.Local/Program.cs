using System.CommandLine;
using Watcher.Local.Commands;
using Watcher.Local.Hosting;

var root = new RootCommand("Watcher: polls news feeds, tags articles with topics and mails subscribers a digest.")
{
    GlobalOptions.Config,
    RunCommand.Create(),
    DemoCommand.Create(),
    EventGridRelayCommand.Create(),
    PoisonCommand.Create(),
    DigestCommand.Create(),
    ParseCommand.Create(),
    ClassifyCommand.Create(),
    EvalCommand.Create(),
    FeedsCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (WatcherStartupException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e) when (e is Azure.RequestFailedException or AggregateException { InnerException: Azure.RequestFailedException or HttpRequestException })
{
    // Storage went away mid-cycle: everything written so far is consistent, the next run goes on.
    Console.Error.WriteLine($"Storage error: {e.Message}");
    return 3;
}
