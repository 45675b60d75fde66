using System.Net;
using System.Net.Sockets;

namespace Watcher.Feeds.Fetching;

/// <summary>
/// Keeps a fetch that a feed item can steer (the article page) away from internal endpoints:
/// every address a host name resolves to must be public unless the host or range is allow-listed,
/// and the connection goes to the checked addresses, so a second DNS answer cannot swap in an
/// internal one (DNS rebinding). Used as <see cref="SocketsHttpHandler.ConnectCallback"/>, it runs
/// for every connection, including those to redirect targets.
/// </summary>
public sealed class PrivateAddressGuard
{
    private static readonly IPNetwork[] NonPublicRanges =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private readonly HashSet<string> allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> allowedRanges = [];

    public PrivateAddressGuard(IEnumerable<string> allowList)
    {
        foreach (var entry in allowList)
        {
            if (IPNetwork.TryParse(entry, out var range))
            {
                allowedRanges.Add(range);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                allowedRanges.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                allowedHosts.Add(entry.Trim());
            }
        }
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !NonPublicRanges.Any(r => r.BaseAddress.AddressFamily == address.AddressFamily && r.Contains(address));
    }

    /// <summary>The addresses of <paramref name="host"/> that may be connected to; throws naming the first refused one.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new BlockedAddressException($"{host} has no address");
        }

        if (allowedHosts.Contains(host))
        {
            return addresses;
        }

        foreach (var address in addresses)
        {
            if (!IsPublic(address) && !allowedRanges.Any(r => r.BaseAddress.AddressFamily == address.AddressFamily && r.Contains(address)))
            {
                throw new BlockedAddressException($"{host} resolves to {address}, a loopback, private or link-local address (allow it in Watcher:Fetch:AllowedPrivateHosts)");
            }
        }

        return addresses;
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A request was refused because its target is not a public address.</summary>
public sealed class BlockedAddressException(string message) : Exception(message);
