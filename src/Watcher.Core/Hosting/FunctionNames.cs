namespace Watcher.Hosting;

/// <summary>
/// The function names and timer schedule settings both hosts use. The Functions app binds its
/// triggers to these constants; a test checks its source against them.
/// </summary>
public static class FunctionNames
{
    public const string FetchFeeds = "FetchFeeds";
    public const string ClassifyArticle = "ClassifyArticle";
    public const string DeliverSummaries = "DeliverSummaries";
    public const string SendDigests = "SendDigests";
    public const string Preferences = "Preferences";

    /// <summary>Timer schedule of <see cref="FetchFeeds"/>, resolved from the app setting <c>Watcher__Schedules__FetchFeeds</c>.</summary>
    public const string FetchFeedsSchedule = "%Watcher:Schedules:FetchFeeds%";

    /// <summary>Timer schedule of <see cref="SendDigests"/>, resolved from the app setting <c>Watcher__Schedules__SendDigests</c>.</summary>
    public const string SendDigestsSchedule = "%Watcher:Schedules:SendDigests%";
}
