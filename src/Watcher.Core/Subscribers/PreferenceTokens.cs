using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Subscribers;

/// <summary>
/// Signed, expiring tokens for the unsubscribe and preferences links: <c>email|expiry</c> with an
/// HMAC-SHA256 over it, base64url.
/// </summary>
public sealed class PreferenceTokens(IOptions<WatcherOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(60);

    // Development runs without a configured secret still get working links; the validator
    // refuses the missing secret wherever the public URL is not loopback.
    private byte[] Key => Encoding.UTF8.GetBytes(options.Value.Delivery.TokenSecret ?? "watcher-development-secret");

    public string Create(string email)
    {
        var expires = clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        var payload = Encoding.UTF8.GetBytes($"{email.Trim().ToLowerInvariant()}|{expires}");
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(Key, payload))}";
    }

    public Uri PreferencesUrl(string email) =>
        new($"{options.Value.Delivery.PublicBaseUrl.TrimEnd('/')}/api/preferences?token={Create(email)}");

    /// <summary>The address a token was made for, or the reason it is refused.</summary>
    public TokenCheck Validate(string? token)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 2 || !TryDecode(parts[0], out var payload) || !TryDecode(parts[1], out var signature))
        {
            return new TokenCheck(null, "The link is malformed.");
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Key, payload), signature))
        {
            return new TokenCheck(null, "The link's signature does not match; it was changed or not made by this Watcher.");
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 2 || !long.TryParse(fields[1], out var expires))
        {
            return new TokenCheck(null, "The link is malformed.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(expires) < clock.GetUtcNow()
            ? new TokenCheck(null, "The link has expired; use the link in a more recent mail.")
            : new TokenCheck(fields[0], null);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}

public sealed record TokenCheck(string? Email, string? Refusal);
