namespace Watcher.Feeds.Fetching;

/// <summary>Why a feed could not be read; stored in its state and shown by <c>watcher feeds status</c>.</summary>
public enum FeedErrorKind
{
    Network,
    Timeout,
    HttpStatus,
    Gone,
    RateLimited,
    TooLarge,
    RedirectLoop,
    TooManyRedirects,
    NotAllowed,
    Empty,
    DtdRefused,
    Parse,
}
