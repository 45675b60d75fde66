namespace Watcher.Mail;

/// <summary>A rendered digest: subject, HTML and plain-text bodies with the same content.</summary>
public sealed record RenderedDigest(string Subject, string Html, string Text, int StoryCount);
