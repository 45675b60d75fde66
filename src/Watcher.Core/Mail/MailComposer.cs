using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;

namespace Watcher.Mail;

/// <summary>
/// Builds the MIME message for a rendered digest: HTML with a plain-text alternative, a Message-ID
/// stable per digest, and RFC 8058 one-click unsubscribe headers.
/// </summary>
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
        message.From.Add(new MailboxAddress(OneLine(smtp.FromName), Address(smtp.From, "Watcher:Smtp:From")));
        message.To.Add(new MailboxAddress(OneLine(subscriber.Name ?? ""), Address(subscriber.Email, "subscriber")));

        // RFC 8058: the https link takes a POST with "List-Unsubscribe=One-Click"; a mailto is an
        // optional second way for clients that only know RFC 2369.
        var unsubscribe = $"<{preferencesUrl.AbsoluteUri}>";
        if (options.Value.Delivery.UnsubscribeMailto is { } mailto)
        {
            unsubscribe += $", <mailto:{Address(mailto, "Watcher:Delivery:UnsubscribeMailto")}?subject=unsubscribe>";
        }

        message.Headers.Add("List-Unsubscribe", unsubscribe);
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    /// <summary>Message-ID for a digest: the same digest always gets the same one.</summary>
    public static string MessageIdFor(string digestId, string fromAddress) =>
        $"{digestId}@{MailboxAddress.Parse(fromAddress).Domain}";

    /// <summary>The bare address, refusing anything that is not exactly one well-formed mailbox.</summary>
    private static string Address(string value, string what)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || !MailboxAddress.TryParse(value, out var mailbox) || string.IsNullOrEmpty(mailbox.Domain) || string.IsNullOrEmpty(mailbox.LocalPart))
        {
            throw new InvalidRecipientException($"'{OneLine(value)}' ({what}) is not a valid e-mail address.");
        }

        return mailbox.Address;
    }

    // Feed and configuration text can hold CR/LF; in a header that would start a new header.
    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

/// <summary>An address a mail cannot go to, whatever the retries.</summary>
public sealed class InvalidRecipientException(string message) : Exception(message);
