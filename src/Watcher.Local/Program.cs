using System.CommandLine;
using Watcher.Local.Commands;
using Watcher.Local.Hosting;

var root = new RootCommand("Watcher: polls news feeds, tags articles with topics and mails subscribers a digest.")
{
    GlobalOptions.Config,
    RunCommand.Create(),
    DemoCommand.Create(),
    EventGridRelayCommand.Create(),
    BenchCommand.Create(),
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
