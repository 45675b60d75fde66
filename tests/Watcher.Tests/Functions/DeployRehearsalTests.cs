using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Watcher.Tests.Functions.Host;
using Watcher.Tests.Infra;
using Watcher.Tests.Support;

namespace Watcher.Tests.Functions;

/// <summary>
/// A default <c>azd up</c> rehearsed short of Azure. main.parameters.json is resolved as azd
/// resolves it (environment values, their defaults, and <c>secretOrRandomPassword</c>'s 15
/// characters on a first provision); the app settings are what infra/modules/app-settings.bicep
/// builds from them, evaluated by <c>bicep build-params</c>; each Key Vault reference becomes what
/// the templates store in the vault. The published worker gets exactly those settings. What is
/// not evaluated is main.bicep's own hand-over of parameters and resource outputs to that
/// function (resource names, endpoints, the smtp object), which <see cref="Inputs"/> mirrors.
/// </summary>
public sealed partial class DeployRehearsalTests(PublishedAppTests.PublishedApp app, CompiledTemplates compiled)
    : IClassFixture<PublishedAppTests.PublishedApp>, IClassFixture<CompiledTemplates>
{
    private const string Token = "q7k2mxv4bn3hd";

    /// <summary>What a user sets before a first <c>azd up</c> (docs/DEPLOY.md); everything else keeps its default.</summary>
    private static readonly Dictionary<string, string> AzdEnvironment = new(StringComparer.Ordinal)
    {
        ["AZURE_ENV_NAME"] = "watcher-dev",
        ["AZURE_LOCATION"] = "swedencentral",
        ["AZURE_PRINCIPAL_ID"] = "00000000-0000-0000-0000-000000000001",
        ["WATCHER_SMTP_HOST"] = "smtp.example.com",
        ["WATCHER_SMTP_FROM"] = "watcher@example.com",
        ["WATCHER_SUBSCRIBER_EMAIL"] = "ann@example.com",
    };

    [Fact]
    public async Task The_worker_starts_with_the_app_settings_a_default_azd_up_gives_it()
    {
        var parameters = ResolveAzdParameters();
        var azdPassword = parameters["tokenSecret"]!.GetValue<string>();
        Assert.Equal(15, azdPassword.Length);

        var settings = await EvaluateAppSettingsAsync(parameters, StoredTokenSecret(azdPassword));

        Assert.Equal("https://func-watcher-" + Token + ".azurewebsites.net", settings["Watcher__Delivery__PublicBaseUrl"]);
        Assert.Equal("ann@example.com", settings["Watcher__Subscribers__0__Email"]);
        await using var host = await FunctionsHostStandIn.StartAsync(app.Directory, settings);
        Assert.Equal(app.Functions.Keys.Order(StringComparer.Ordinal), host.Functions.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>The first startup failure this rehearsal exists for: the vault holding azd's 15 characters as they came.</summary>
    [Fact]
    public async Task The_rehearsal_catches_a_vault_that_keeps_azds_short_password()
    {
        var parameters = ResolveAzdParameters();
        var settings = await EvaluateAppSettingsAsync(parameters, parameters["tokenSecret"]!.GetValue<string>());

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsHostStandIn.StartAsync(app.Directory, settings));
        Assert.Contains("Watcher:Delivery:TokenSecret", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>main.bicep's storedTokenSecret (its shape is checked by BicepTemplateTests).</summary>
    private static string StoredTokenSecret(string tokenSecret) =>
        tokenSecret.Length >= 32 ? tokenSecret : tokenSecret + Guid.NewGuid().ToString("N");

    /// <summary>main.parameters.json with every <c>${NAME}</c>, <c>${NAME=default}</c> and <c>$(secretOrRandomPassword …)</c> resolved.</summary>
    private static JsonObject ResolveAzdParameters()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "main.parameters.json")))!["parameters"]!.AsObject();
        var resolved = new JsonObject();
        foreach (var (name, parameter) in file)
        {
            var raw = parameter!["value"]!.GetValue<string>();
            var value = SecretOrRandomPassword().Replace(raw, _ => RandomPassword());
            value = AzdReference().Replace(value, m => AzdEnvironment.TryGetValue(m.Groups["name"].Value, out var set) && set.Length > 0
                ? set
                : m.Groups["default"].Success ? m.Groups["default"].Value : throw new InvalidOperationException($"main.parameters.json: {name} needs ${{{m.Groups["name"].Value}}}, which a first azd up does not set"));
            resolved[name] = value;
        }

        return resolved;
    }

    /// <summary>
    /// What main.bicep hands app-settings.bicep for these parameters, with enableEmail and
    /// enableLanguage at their defaults (false) and the other parameters at the defaults the
    /// compiled template declares.
    /// </summary>
    private JsonObject Inputs(JsonObject parameters)
    {
        var declared = compiled.Main["parameters"]!.AsObject();
        JsonNode Default(string name) => declared[name]!["defaultValue"]!.DeepClone();
        Assert.Equal("false", parameters["enableEmail"]!.GetValue<string>());
        Assert.Equal("false", parameters["enableLanguage"]!.GetValue<string>());

        return new JsonObject
        {
            ["hostStorageAccountName"] = "sthost" + Token,
            ["identityClientId"] = "11111111-2222-3333-4444-555555555555",
            ["dataStorageAccountName"] = "stdata" + Token,
            ["dataBlobEndpoint"] = $"https://stdata{Token}.blob.core.windows.net/",
            ["dataQueueEndpoint"] = $"https://stdata{Token}.queue.core.windows.net/",
            ["applicationInsightsConnectionString"] = "InstrumentationKey=66666666-7777-8888-9999-000000000000;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/",
            ["fetchFeedsSchedule"] = Default("fetchFeedsSchedule"),
            ["sendDigestsSchedule"] = Default("sendDigestsSchedule"),
            ["smtp"] = new JsonObject
            {
                ["host"] = parameters["smtpHost"]!.GetValue<string>(),
                ["port"] = int.Parse(parameters["smtpPort"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                ["security"] = parameters["smtpSecurity"]!.GetValue<string>(),
                ["from"] = parameters["smtpFrom"]!.GetValue<string>(),
                ["userName"] = parameters["smtpUserName"]!.GetValue<string>(),
            },
            ["smtpPasswordSecretUri"] = parameters["smtpPassword"]!.GetValue<string>().Length == 0 ? "" : $"https://kv-watcher-{Token}.vault.azure.net/secrets/smtp-password/1",
            ["tokenSecretUri"] = $"https://kv-watcher-{Token}.vault.azure.net/secrets/unsubscribe-token-secret/1",
            ["languageEndpoint"] = "",
            ["feeds"] = Default("feeds"),
            ["subscribers"] = new JsonArray(new JsonObject
            {
                ["email"] = parameters["subscriberEmail"]!.GetValue<string>(),
                ["topics"] = Default("subscriberTopics"),
                ["schedule"] = Default("subscriberSchedule"),
                ["timeZone"] = Default("subscriberTimeZone"),
            }),
            ["siteHostName"] = $"func-watcher-{Token}.azurewebsites.net",
        };
    }

    /// <summary>Evaluates app-settings.bicep's appSettings with <c>bicep build-params</c>, then resolves its Key Vault references.</summary>
    private async Task<Dictionary<string, string>> EvaluateAppSettingsAsync(JsonObject parameters, string storedTokenSecret)
    {
        var directory = Path.Combine(Path.GetTempPath(), "watcher-rehearsal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var module = Path.GetRelativePath(directory, Path.Combine(CompiledTemplates.InfraDirectory, "modules", "app-settings.bicep")).Replace('\\', '/');
            var inputs = Inputs(parameters).ToJsonString().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(directory, "rehearsal.bicepparam"), $"""
                using none
                import {"{"} appSettings {"}"} from '{module}'
                param settings = appSettings(json('{inputs}'))
                """);
            var run = await BicepCli.RunAsync(directory, "build-params", "rehearsal.bicepparam", "--stdout");
            Assert.True(run.ExitCode == 0, "bicep build-params failed: " + run);

            var built = JsonNode.Parse(JsonNode.Parse(run.StandardOutput)!["parametersJson"]!.GetValue<string>())!;
            var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [$"https://kv-watcher-{Token}.vault.azure.net/secrets/unsubscribe-token-secret/1"] = storedTokenSecret,
            };
            return built["parameters"]!["settings"]!["value"]!.AsObject().ToDictionary(
                s => s.Key,
                s => KeyVaultReference().Match(s.Value!.GetValue<string>()) is { Success: true } reference
                    ? secrets[reference.Groups["uri"].Value]
                    : s.Value!.GetValue<string>(),
                StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string RandomPassword() =>
        new(Enumerable.Range(0, 15).Select(_ => "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[System.Security.Cryptography.RandomNumberGenerator.GetInt32(57)]).ToArray());

    [GeneratedRegex(@"\$\{(?<name>[A-Z_]+)(=(?<default>[^}]*))?\}")]
    private static partial Regex AzdReference();

    [GeneratedRegex(@"\$\(secretOrRandomPassword [^)]*\)")]
    private static partial Regex SecretOrRandomPassword();

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=(?<uri>[^)]+)\)$")]
    private static partial Regex KeyVaultReference();
}
