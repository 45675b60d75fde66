using System.Security.Cryptography;
using System.Text;

namespace Watcher.Subscribers;

/// <summary>A stable key for a subscriber's blobs that keeps addresses out of blob names.</summary>
public static class SubscriberKey
{
    public static string For(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())).AsSpan(0, 12));
}
