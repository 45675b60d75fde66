using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;
using Watcher.Digests;

namespace Watcher.Delivery;

/// <summary>Builds the MIME message for a rendered digest, with a Message-ID stable per digest.</summary>
public sealed class MailComposer(IOptions<WatcherOptions> options)
{
    public MimeMessage Compose(SubscriberOptions subscriber, string messageId, RenderedDigest digest, Uri preferencesUrl)
    {
        var smtp = options.Value.Smtp;
        var message = new MimeMessage
        {
            MessageId = messageId,
            Subject = OneLine(digest.Subject),
            Body = new BodyBuilder { HtmlBody = digest.Html, TextBody = digest.Text }.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress(OneLine(smtp.FromName), smtp.From));
        message.To.Add(new MailboxAddress(OneLine(subscriber.Name ?? ""), subscriber.Email));

        // RFC 8058 one-click unsubscribe.
        message.Headers.Add("List-Unsubscribe", $"<{preferencesUrl.AbsoluteUri}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return message;
    }

    /// <summary>Message-ID for a digest: the same digest always gets the same one.</summary>
    public static string MessageIdFor(string digestId, string fromAddress) =>
        $"{digestId}@{fromAddress.Split('@').Last()}";

    // Feed text can hold CR/LF; in a header that would start a new header.
    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
