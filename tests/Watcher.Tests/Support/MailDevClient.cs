using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Watcher.Tests.Support;

/// <summary>MailDev 3's REST API: what arrived, with headers and the raw source.</summary>
public sealed class MailDevClient(Uri baseUrl) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseUrl };

    public async Task<IReadOnlyList<ReceivedMail>> ListAsync() =>
        await http.GetFromJsonAsync<List<ReceivedMail>>("api/email") ?? [];

    public async Task<string> SourceAsync(string id) => await http.GetStringAsync($"api/email/{id}/source");

    public async Task DeleteAllAsync() => (await http.DeleteAsync("api/email/all")).EnsureSuccessStatusCode();

    /// <summary>Mail addressed to <paramref name="email"/>.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> ForAsync(string email) =>
        (await ListAsync()).Where(m => m.To.Any(t => string.Equals(t.Address, email, StringComparison.OrdinalIgnoreCase))).ToList();

    public void Dispose() => http.Dispose();
}

public sealed record ReceivedMail
{
    public string Id { get; init; } = "";

    public string Subject { get; init; } = "";

    public string? Html { get; init; }

    public string? Text { get; init; }

    public List<MailAddress> To { get; init; } = [];

    public Dictionary<string, object>? Headers { get; init; }

    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }
}

public sealed record MailAddress(string Address, string? Name);
