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
    // Ctrl+C cancels the command's token and the command winds down itself (hands leased
    // messages back, stops the demo's Azurite and MailDev); System.CommandLine's default of two
    // seconds would exit with 130 in the middle of that on a busy machine.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
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
