using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Delivery;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary><c>watcher poison list|replay</c>: inspect the <c>summaries-poison</c> queue and bring its messages back.</summary>
internal static class PoisonCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Show the messages in summaries-poison (up to 32) without taking them.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var app = await WatcherAppStorage.BuildWithStorageAsync(parse.GetValue(GlobalOptions.Config), cancellationToken);
            var poison = app.GetRequiredService<PoisonQueue>();
            await SettleAsync(poison, cancellationToken);
            var listing = await poison.ListAsync(cancellationToken);
            Console.WriteLine($"{listing.ApproximateCount} message(s) in summaries-poison.");
            foreach (var message in listing.Messages)
            {
                Console.WriteLine($"  {message.Id}  inserted {message.InsertedOn:u}  dequeued {message.DequeueCount}x  {message.Body}");
            }

            return 0;
        });

        var max = new Option<int>("--max") { Description = "Replay at most this many messages.", DefaultValueFactory = _ => int.MaxValue };
        var replay = new Command("replay", "Move the messages in summaries-poison back to summaries, to be delivered again.") { max };
        replay.SetAction(async (parse, cancellationToken) =>
        {
            using var app = await WatcherAppStorage.BuildWithStorageAsync(parse.GetValue(GlobalOptions.Config), cancellationToken);
            var poison = app.GetRequiredService<PoisonQueue>();
            await SettleAsync(poison, cancellationToken);
            var moved = await poison.ReplayAsync(parse.GetValue(max), cancellationToken);
            Console.WriteLine($"{moved} message(s) moved back to summaries.");
            return 0;
        });

        return new Command("poison", "Messages that failed delivery five times.") { list, replay };
    }

    private static async Task SettleAsync(PoisonQueue poison, CancellationToken cancellationToken)
    {
        if (await poison.SettleAsync(cancellationToken) is > 0 and var settled)
        {
            Console.WriteLine($"{settled} message(s) settled and removed: every subscriber they are for got their article since, or has it pending for a digest.");
        }
    }
}
