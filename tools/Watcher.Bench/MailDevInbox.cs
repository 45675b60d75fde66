using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Watcher.Bench;

/// <summary>What arrived in MailDev, read through its REST API (<c>GET /api/email</c>).</summary>
public sealed class MailDevInbox(Uri webUrl) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = webUrl, Timeout = TimeSpan.FromMinutes(5) };

    public async Task<IReadOnlyList<InboxMail>> ListAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<InboxMail>>("api/email", cancellationToken) ?? [];

    /// <summary>
    /// Waits until MailDev shows <paramref name="expected"/> mails: it stores a message a moment
    /// after its SMTP server accepted it. Returns what is there when the count holds or time is up.
    /// </summary>
    public async Task<IReadOnlyList<InboxMail>> WaitForCountAsync(int expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var mails = await ListAsync(cancellationToken);
            if (mails.Count >= expected || DateTime.UtcNow >= deadline)
            {
                return mails;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public void Dispose() => http.Dispose();
}

public sealed record InboxMail
{
    public string Id { get; init; } = "";

    public string Subject { get; init; } = "";

    public string? Text { get; init; }

    public string? Html { get; init; }

    public List<InboxAddress> To { get; init; } = [];

    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; init; }

    public bool IsFor(string address) => To.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase));
}

public sealed record InboxAddress(string Address, string? Name);
