using System.CommandLine;
using Azure.Storage.Queues;
using Watcher.Local.Commands;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary><c>watcher poison list</c> and <c>watcher poison replay</c> against a real Azurite.</summary>
public sealed class PoisonCommandTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    [Fact]
    public async Task Replay_moves_poison_messages_back_to_summaries_keeping_them_base64()
    {
        var config = Path.Combine(Path.GetTempPath(), $"watcher-poison-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Watcher": { "Storage": { "ConnectionString": "{{services.Azurite.ConnectionString}}" } } }
            """);
        var base64 = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var poison = new QueueClient(services.Azurite.ConnectionString, StorageNames.SummariesPoisonQueue, base64);
        var summaries = new QueueClient(services.Azurite.ConnectionString, StorageNames.SummariesQueue, base64);
        await poison.CreateIfNotExistsAsync();
        await summaries.CreateIfNotExistsAsync();
        await summaries.ClearMessagesAsync();
        string[] bodies = ["{\"articleId\":\"a1\",\"classifiedBlob\":\"a1.json\"}", "{\"articleId\":\"a2\",\"classifiedBlob\":\"a2.json\"}", "not json at all"];
        foreach (var body in bodies)
        {
            await poison.SendMessageAsync(body);
        }

        Assert.Equal(0, await RunAsync("poison", "list", "--config", config));
        Assert.Equal(3, (await poison.PeekMessagesAsync(32)).Value.Length);

        Assert.Equal(0, await RunAsync("poison", "replay", "--max", "2", "--config", config));
        Assert.Single((await poison.PeekMessagesAsync(32)).Value);
        Assert.Equal(0, await RunAsync("poison", "replay", "--config", config));

        Assert.Empty((await poison.PeekMessagesAsync(32)).Value);
        var replayed = (await summaries.ReceiveMessagesAsync(32)).Value;
        Assert.Equal(bodies.Order(), replayed.Select(m => m.Body.ToString()).Order());

        // On the wire the messages are base64, as the Functions queue trigger expects.
        var raw = new QueueClient(services.Azurite.ConnectionString, StorageNames.SummariesQueue);
        await summaries.ClearMessagesAsync();
        await RunAsyncAfterPoisoning(poison, "{\"articleId\":\"a3\"}", config);
        var wire = Assert.Single((await raw.PeekMessagesAsync(32)).Value);
        Assert.Equal("{\"articleId\":\"a3\"}", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(wire.Body.ToString())));
        File.Delete(config);
    }

    private static async Task RunAsyncAfterPoisoning(QueueClient poison, string body, string config)
    {
        await poison.SendMessageAsync(body);
        Assert.Equal(0, await RunAsync("poison", "replay", "--config", config));
    }

    private static async Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand { GlobalOptions.Config, PoisonCommand.Create() };
        return await root.Parse(args).InvokeAsync();
    }
}
