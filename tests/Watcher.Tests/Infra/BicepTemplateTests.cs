using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Watcher.Configuration;
using Watcher.Hosting;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Infra;

/// <summary>
/// The Bicep template under infra/: it compiles and lints clean with the Bicep CLI from NuGet,
/// sets only app settings the code reads (and every one it requires), creates exactly the
/// storage contract, and wires the Event Grid subscription to ClassifyArticle.
/// </summary>
public sealed partial class BicepTemplateTests(CompiledTemplates compiled) : IClassFixture<CompiledTemplates>
{
    /// <summary>
    /// Settings the template may set outside the Watcher section, each with the reason the app
    /// needs it. Anything else is a typo or a setting nobody reads.
    /// </summary>
    private static readonly Dictionary<string, string> HostSettings = new(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage__accountName"] = "Functions host storage through the managed identity",
        ["AzureWebJobsStorage__credential"] = "Functions host storage through the managed identity",
        ["AzureWebJobsStorage__clientId"] = "picks the user-assigned identity for host storage",
        [$"{StorageNames.TriggerConnection}__blobServiceUri"] = "blob trigger connection (Event Grid source reads the blob)",
        [$"{StorageNames.TriggerConnection}__queueServiceUri"] = "queue trigger connection and the blob trigger's poison queue",
        [$"{StorageNames.TriggerConnection}__credential"] = "trigger connection through the managed identity",
        [$"{StorageNames.TriggerConnection}__clientId"] = "picks the user-assigned identity for the trigger connection",
        ["AZURE_CLIENT_ID"] = "DefaultAzureCredential in the core picks the user-assigned identity",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "where the worker and host send telemetry",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Entra ID telemetry ingestion (local auth is off)",
    };

    [Fact]
    public void Every_bicep_file_compiles_and_lints_without_errors_or_warnings()
    {
        Assert.NotEmpty(CompiledTemplates.BicepFiles);
        Assert.True(compiled.Build.ExitCode == 0, "bicep build failed: " + compiled.Build);
        Assert.True(compiled.Lint.ExitCode == 0, "bicep lint failed: " + compiled.Lint);

        var findings = compiled.Build.Diagnostics.Concat(compiled.Lint.Diagnostics)
            .Where(d => d.Level is "Error" or "Warning")
            .Select(d => d.ToString())
            .Distinct()
            .ToList();
        Assert.True(findings.Count == 0, "Bicep reported:\n" + string.Join('\n', findings));

        var uncompiled = CompiledTemplates.BicepFiles
            .Select(f => Path.GetRelativePath(CompiledTemplates.InfraDirectory, f).Replace('\\', '/'))
            .Where(f => !compiled.Templates.ContainsKey(f))
            .ToList();
        Assert.True(uncompiled.Count == 0, "No ARM JSON was produced for: " + string.Join(", ", uncompiled));
    }

    [Fact]
    public async Task The_linter_configuration_turns_rules_into_warnings()
    {
        // The clean-lint test above is only worth something if infra/bicepconfig.json really
        // reports findings as warnings: lint a deliberately bad file under the same config.
        var directory = Directory.CreateTempSubdirectory("watcher-bicep-lint-").FullName;
        try
        {
            File.Copy(Path.Combine(CompiledTemplates.InfraDirectory, "bicepconfig.json"), Path.Combine(directory, "bicepconfig.json"));
            await File.WriteAllTextAsync(Path.Combine(directory, "bad.bicep"), """
                param unused string
                param location string = resourceGroup().location

                resource account 'Microsoft.Storage/storageAccounts@2021-01-01' = {
                  name: 'stwatcherlintprobe'
                  location: location
                  kind: 'StorageV2'
                  sku: {
                    name: 'Standard_LRS'
                  }
                }
                """);

            var lint = await BicepCli.RunAsync(directory, "lint", "bad.bicep");

            Assert.Contains(lint.Diagnostics, d => d is { Level: "Warning", Code: "no-unused-params" });
            Assert.Contains(lint.Diagnostics, d => d is { Level: "Warning", Code: "use-recent-api-versions" });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Every_suppression_names_its_rule_and_gives_a_reason()
    {
        var unexplained = CompiledTemplates.BicepFiles
            .SelectMany(file => File.ReadLines(file).Select((text, index) => (file, line: index + 1, text)))
            .Where(l => l.text.Contains("#disable-next-line", StringComparison.Ordinal) && !ExplainedSuppression().IsMatch(l.text))
            .Select(l => $"{Path.GetFileName(l.file)}({l.line}): {l.text.Trim()}")
            .ToList();

        Assert.True(unexplained.Count == 0, "Suppressions need '#disable-next-line rule // reason':\n" + string.Join('\n', unexplained));
    }

    [Fact]
    public void Every_app_setting_the_template_sets_is_one_the_code_reads()
    {
        var settings = TemplateAppSettings();

        var problems = new List<string>();
        foreach (var setting in settings)
        {
            if (setting.StartsWith(WatcherOptions.SectionName + "__", StringComparison.Ordinal))
            {
                if (ResolveOptionsPath(setting) is { } problem)
                {
                    problems.Add($"{setting}: {problem}");
                }
            }
            else if (!HostSettings.ContainsKey(setting))
            {
                problems.Add($"{setting}: neither a Watcher option nor an allowed host-level setting");
            }
        }

        Assert.True(problems.Count == 0, "App settings the code does not read:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void The_settings_check_catches_a_misspelt_or_unknown_setting()
    {
        Assert.Null(ResolveOptionsPath("Watcher__Subscribers__3__Topics__1"));
        Assert.Null(ResolveOptionsPath("Watcher__Smtp__Port"));
        Assert.NotNull(ResolveOptionsPath("Watcher__Smtp__Hostname"));
        Assert.NotNull(ResolveOptionsPath("Watcher__Feeds__first__Url"));
        Assert.NotNull(ResolveOptionsPath("Watcher__Smtp"));
        Assert.NotNull(ResolveOptionsPath("Watcher__Smtp__Port__Value"));
    }

    [Fact]
    public void Every_setting_the_code_requires_in_Azure_is_set_by_the_template_or_documented()
    {
        var template = TemplateAppSettings();

        // local.settings.sample.json documents the settings of a local Functions run; it may not
        // be in this checkout yet, in which case the template alone must set everything.
        var samplePath = RepositoryPaths.Combine("local.settings.sample.json");
        var sample = File.Exists(samplePath)
            ? JsonNode.Parse(File.ReadAllText(samplePath))!["Values"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal)
            : [];

        bool Provided(string setting) => template.Contains(setting) || sample.Contains(setting);

        var missing = new List<string>();
        if (!Provided("Watcher__Storage__AccountName") && !Provided("Watcher__Storage__ConnectionString"))
        {
            missing.Add("Watcher__Storage__AccountName (or Watcher__Storage__ConnectionString)");
        }

        var triggerConnection = StorageNames.TriggerConnection;
        if (!Provided(triggerConnection)
            && !(Provided($"{triggerConnection}__blobServiceUri") && Provided($"{triggerConnection}__queueServiceUri")))
        {
            missing.Add($"{triggerConnection}__blobServiceUri and __queueServiceUri (or {triggerConnection})");
        }

        missing.AddRange(new[]
            {
                "Watcher__Smtp__Host",
                "Watcher__Smtp__From",
                "Watcher__Delivery__PublicBaseUrl",
                "Watcher__Delivery__TokenSecret",
                "Watcher__Schedules__FetchFeeds",
                "Watcher__Schedules__SendDigests",
            }.Where(s => !Provided(s)));

        Assert.True(missing.Count == 0, "Required settings neither set by the template nor documented:\n" + string.Join('\n', missing));

        // In Azure the template itself must carry the identity-based connections: no sample
        // value (Azurite connection strings) works there.
        Assert.Contains("Watcher__Storage__AccountName", template);
        Assert.Contains($"{triggerConnection}__blobServiceUri", template);
        Assert.Contains($"{triggerConnection}__queueServiceUri", template);
        Assert.Contains("AzureWebJobsStorage__accountName", template);
    }

    [Fact]
    public void Retention_deletes_old_articles_verdicts_and_markers_by_prefix_and_never_what_is_still_pending()
    {
        var storage = FindTemplateWithVariable(compiled.Main, "retentionRules") ?? throw new Xunit.Sdk.XunitException("no retention rules in the storage module");
        var days = storage["parameters"]!.AsObject().Where(p => p.Key.EndsWith("RetentionDays", StringComparison.Ordinal))
            .ToDictionary(p => $"[parameters('{p.Key}')]", p => p.Value!["defaultValue"]!.GetValue<int>(), StringComparer.Ordinal);
        var rules = storage["variables"]!["retentionRules"]!.AsArray()
            .SelectMany(r => r!["prefixes"]!.AsArray().Select(prefix => (Prefix: prefix!.GetValue<string>(), Days: days[r["days"]!.GetValue<string>()])))
            .ToList();
        int? KeptFor(string container, string blob) =>
            rules.Where(r => $"{container}/{blob}".StartsWith(r.Prefix, StringComparison.Ordinal)).Select(r => (int?)r.Days).Min();

        Assert.All(rules, r => Assert.Contains(r.Prefix.Split('/')[0], StorageNames.Containers));
        Assert.Equal(90, KeptFor(StorageNames.ArticlesContainer, "2026/03/01/abc.json"));
        Assert.Equal(90, KeptFor(StorageNames.ClassifiedContainer, "2026/03/01/abc.json"));

        // The local host's sweep deletes by the same rules with the same defaults.
        var local = Retention.Rules(new RetentionOptions()).SelectMany(r => r.Prefixes.Select(prefix => (Prefix: prefix, r.Days)));
        Assert.Equal(local.Order(), rules.Order());

        // The dedup index and delivered markers outlive the articles, so an item a feed lists again
        // is neither stored nor mailed again; sent markers outlive the longest schedule (a week).
        Assert.True(KeptFor(StorageNames.StateContainer, "articles/abc.json") > KeptFor(StorageNames.ArticlesContainer, "2026/03/01/abc.json"));
        Assert.True(KeptFor(StorageNames.DigestsContainer, "delivered/key/abc.json") > KeptFor(StorageNames.ArticlesContainer, "2026/03/01/abc.json"));
        Assert.InRange(KeptFor(StorageNames.DigestsContainer, "sent/key/key-w2026-10.json")!.Value, 8, 366);

        // What is still to be done or describes the configuration is never deleted by age.
        Assert.Null(KeptFor(StorageNames.DigestsContainer, "pending/key/bundle.json"));
        Assert.Null(KeptFor(StorageNames.DigestsContainer, "locks/key"));
        Assert.Null(KeptFor(StorageNames.StateContainer, "feeds.json"));
        Assert.Null(KeptFor(StorageNames.StateContainer, "subscribers/key.json"));
    }

    private static JsonObject? FindTemplateWithVariable(JsonNode? node, string variable) => node switch
    {
        JsonObject o when o["variables"] is JsonObject v && v.ContainsKey(variable) => o,
        JsonObject o => o.Select(p => FindTemplateWithVariable(p.Value, variable)).FirstOrDefault(t => t is not null),
        JsonArray a => a.Select(n => FindTemplateWithVariable(n, variable)).FirstOrDefault(t => t is not null),
        _ => null,
    };

    [Fact]
    public void The_template_creates_exactly_the_containers_and_queues_of_the_storage_contract()
    {
        var containers = DataAccountChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = DataAccountChildNames("Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(StorageNames.Containers.Order(StringComparer.Ordinal), containers.Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Queues.Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Both_storage_accounts_refuse_shared_keys_old_TLS_and_public_blobs()
    {
        var accounts = Resources(compiled.Main)
            .Where(r => Type(r.Resource) == "Microsoft.Storage/storageAccounts")
            .ToList();

        Assert.Equal(2, accounts.Count);
        foreach (var (resource, template) in accounts)
        {
            var properties = Resolve(resource["properties"], template)!.AsObject();
            Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
            Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
            Assert.Equal("TLS1_2", properties["minimumTlsVersion"]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_event_subscription_sends_BlobCreated_on_articles_to_ClassifyArticle()
    {
        var subscription = Assert.Single(
            Resources(compiled.ArticlesSubscription),
            r => Type(r.Resource) == "Microsoft.EventGrid/systemTopics/eventSubscriptions").Resource;
        var properties = subscription["properties"]!;

        Assert.Equal($"/blobServices/default/containers/{StorageNames.ArticlesContainer}/", properties["filter"]!["subjectBeginsWith"]!.GetValue<string>());
        Assert.Equal(["Microsoft.Storage.BlobCreated"], properties["filter"]!["includedEventTypes"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("WebHook", properties["destination"]!["endpointType"]!.GetValue<string>());

        var endpoint = properties["destination"]!["properties"]!["endpointUrl"]!.GetValue<string>();
        Assert.Contains($"/runtime/webhooks/blobs?functionName=Host.Functions.{FunctionNames.ClassifyArticle}&code=", endpoint, StringComparison.Ordinal);
        Assert.Contains("systemKeys.blobs_extension", endpoint, StringComparison.Ordinal);

        // Undeliverable events are kept in storage instead of being dropped after a day.
        Assert.Equal("StorageBlob", properties["deadLetterWithResourceIdentity"]!["deadLetterDestination"]!["endpointType"]!.GetValue<string>());

        // The topic it hangs off watches the data account, not the host account.
        var topic = Assert.Single(Resources(compiled.Main), r => Type(r.Resource) == "Microsoft.EventGrid/systemTopics").Resource;
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic["properties"]!["topicType"]!.GetValue<string>());
        Assert.Contains("parameters('dataAccountName')", topic["properties"]!["source"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// azd's <c>secretOrRandomPassword</c> (main.parameters.json) yields 15 characters on a first
    /// provision; the worker refuses a token secret under 32 and stopped all five functions. The
    /// template lengthens a short secret with a GUID before Key Vault stores it: here the same
    /// rule, read from the compiled template, is applied to a 15-character secret and given to the
    /// real validator.
    /// </summary>
    [Fact]
    public void A_first_provision_token_secret_from_azd_passes_the_workers_validation()
    {
        var parameters = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "main.parameters.json"));
        Assert.Contains("$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} unsubscribe-token-secret)", parameters, StringComparison.Ordinal);
        var stored = compiled.Main["variables"]!["storedTokenSecret"]!.GetValue<string>();
        var minimum = int.Parse(StoredSecretRule().Match(stored).Groups["minimum"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("[newGuid()]", compiled.Main["parameters"]!["tokenSecretExtension"]!["defaultValue"]!.GetValue<string>());
        Assert.Contains("[variables('storedTokenSecret')]", compiled.Main.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);

        var azdPassword = new string('x', 15);
        var lengthened = azdPassword.Length >= minimum ? azdPassword : azdPassword + Guid.NewGuid().ToString("N");

        Assert.Empty(TokenSecretFailures(lengthened));
        Assert.NotEmpty(TokenSecretFailures(azdPassword));
    }

    [Theory]
    [InlineData("smtpHost", "WATCHER_SMTP_HOST", "Smtp:Host")]
    [InlineData("smtpFrom", "WATCHER_SMTP_FROM", "Smtp:From")]
    public void An_unset_mail_relay_stops_provisioning_with_the_azd_value_to_set(string parameter, string azdValue, string setting)
    {
        var parameters = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "main.parameters.json"));
        Assert.Contains($"\"{parameter}\": {{ \"value\": \"${{{azdValue}=}}\" }}", parameters, StringComparison.Ordinal);
        var template = compiled.Main.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains($"if(empty(parameters('{parameter}')), fail('{parameter} is empty: set {azdValue} ", template, StringComparison.Ordinal);

        // The guard exists because the worker would refuse the empty value at start.
        var options = new WatcherOptions();
        options.Smtp.Host = setting == "Smtp:Host" ? "" : "smtp.example.com";
        options.Smtp.From = setting == "Smtp:From" ? "" : "watcher@example.com";
        var failures = new WatcherOptionsValidator().Validate(null, options).Failures ?? [];
        Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal));
    }

    private static IEnumerable<string> TokenSecretFailures(string secret)
    {
        var options = new WatcherOptions();
        options.Delivery.PublicBaseUrl = "https://func-watcher.azurewebsites.net";
        options.Delivery.TokenSecret = secret;
        var result = new WatcherOptionsValidator().Validate(null, options);
        return result.Failures?.Where(f => f.Contains("Delivery:TokenSecret", StringComparison.Ordinal)) ?? [];
    }

    [GeneratedRegex(@"^\[if\(greaterOrEquals\(length\(parameters\('tokenSecret'\)\), (?<minimum>\d+)\), parameters\('tokenSecret'\), format\('\{0\}\{1\}', parameters\('tokenSecret'\), replace\(parameters\('tokenSecretExtension'\), '-', ''\)\)\)\]$")]
    private static partial Regex StoredSecretRule();

    /// <summary>
    /// The log alerts match texts: the WebJobs queue listener's poison warning for our poison
    /// queues, and the core's own log templates, read here from the sources, so rewording a log
    /// line without the alert fails.
    /// </summary>
    [Fact]
    public void Alerts_watch_poison_queues_mail_failures_failed_invocations_and_event_grid_and_mail_the_operator()
    {
        var alerts = compiled.Templates["modules/alerts.bicep"];
        var queries = alerts["variables"]!["logAlerts"]!.AsArray().ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!["query"]!.GetValue<string>());

        Assert.Contains("\"Moving message to queue\"", queries["poison"], StringComparison.Ordinal);
        Assert.Contains($"\"{StorageNames.SummariesPoisonQueue}\"", queries["poison"], StringComparison.Ordinal);
        Assert.Contains("\"webjobs-blobtrigger-poison\"", queries["poison"], StringComparison.Ordinal);
        Assert.Equal("requests | where success == false", queries["failures"]);

        var core = string.Concat(Directory.EnumerateFiles(RepositoryPaths.Combine("src", "Watcher.Core"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        var phrases = QuotedPhrase().Matches(queries["mail"]).Select(m => m.Groups["text"].Value).ToList();
        Assert.Equal(3, phrases.Count);
        Assert.All(phrases, phrase => Assert.True(core.Contains(phrase, StringComparison.Ordinal), $"No log text in Watcher.Core contains \"{phrase}\", which the mail alert looks for."));

        var metrics = alerts["variables"]!["eventGridMetrics"]!.AsArray().Select(m => m!["metric"]!.GetValue<string>());
        Assert.Equal(["DeadLetteredCount", "DroppedEventCount"], metrics.Order(StringComparer.Ordinal));

        var resources = alerts["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var actionGroup = Assert.Single(resources, r => Type(r) == "Microsoft.Insights/actionGroups");
        Assert.Contains("parameters('alertEmail')", actionGroup["properties"]!["emailReceivers"]!.GetValue<string>(), StringComparison.Ordinal);
        var rules = resources.Where(r => Type(r) is "Microsoft.Insights/scheduledQueryRules" or "Microsoft.Insights/metricAlerts").ToList();
        Assert.Equal(2, rules.Count);
        Assert.All(rules, r => Assert.Contains("Microsoft.Insights/actionGroups", r["properties"]!["actions"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.Contains("Microsoft.EventGrid/systemTopics", resources.Single(r => Type(r) == "Microsoft.Insights/metricAlerts")["properties"]!["scopes"]!.ToJsonString(), StringComparison.Ordinal);

        var parameters = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "main.parameters.json"));
        Assert.Contains("\"alertEmail\": { \"value\": \"${WATCHER_ALERT_EMAIL=}\" }", parameters, StringComparison.Ordinal);
        Assert.Contains("[parameters('alertEmail')]", compiled.Main.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);
    }

    [GeneratedRegex("\"(?<text>[^\"]+)\"")]
    private static partial Regex QuotedPhrase();

    [Fact]
    public void With_vnetEnabled_the_app_reaches_both_accounts_blob_and_queue_through_private_endpoints_and_storage_refuses_public_traffic()
    {
        var relaxed = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Assert.False(compiled.Main["parameters"]!["vnetEnabled"]!["defaultValue"]!.GetValue<bool>());
        var parameters = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "main.parameters.json"));
        Assert.Contains("\"vnetEnabled\": { \"value\": \"${WATCHER_VNET_ENABLED=false}\" }", parameters, StringComparison.Ordinal);

        var network = compiled.Templates["modules/network.bicep"];
        var resources = network["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var subnets = resources.Single(r => Type(r) == "Microsoft.Network/virtualNetworks")["properties"]!["subnets"]!.AsArray();
        Assert.Equal("Microsoft.App/environments", subnets[0]!["properties"]!["delegations"]![0]!["properties"]!["serviceName"]!.GetValue<string>());
        Assert.Equal(["blob", "queue"], network["variables"]!["services"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("map(parameters('storageAccountNames')", network["variables"]!["endpoints"]!.GetValue<string>(), StringComparison.Ordinal);
        var endpoint = resources.Single(r => Type(r) == "Microsoft.Network/privateEndpoints").ToJsonString(relaxed);
        Assert.Contains("\"groupIds\":[\"[variables('endpoints')[copyIndex()].service]\"]", endpoint, StringComparison.Ordinal);
        Assert.Contains("subnets[1].id", endpoint, StringComparison.Ordinal);
        var zoneGroup = resources.Single(r => Type(r) == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups").ToJsonString(relaxed);
        Assert.Contains("format('privatelink.{0}.{1}', variables('endpoints')[copyIndex()].service, environment().suffixes.storage)", zoneGroup, StringComparison.Ordinal);
        Assert.Single(resources, r => Type(r) == "Microsoft.Network/privateDnsZones/virtualNetworkLinks");

        // Both accounts get endpoints, storage denies the public network exactly when the vnet
        // exists (trusted services still pass, for Event Grid's dead-lettering), and the app is
        // integrated into the delegated subnet.
        var main = compiled.Main.ToJsonString(relaxed);
        Assert.Contains("\"storageAccountNames\":{\"value\":[\"[reference('storage').outputs.hostAccountName.value]\",\"[reference('storage').outputs.dataAccountName.value]\"]}", main, StringComparison.Ordinal);
        Assert.Contains("\"denyPublicNetwork\":{\"value\":\"[parameters('vnetEnabled')]\"}", main, StringComparison.Ordinal);
        Assert.Contains("\"subnetId\":\"[if(parameters('vnetEnabled'), createObject('value', reference('network').outputs.appSubnetId.value), createObject('value', ''))]\"", main, StringComparison.Ordinal);
        var storage = compiled.Templates["modules/storage.bicep"]["variables"]!["secureAccountProperties"]!["networkAcls"]!;
        Assert.Equal("[if(parameters('denyPublicNetwork'), 'Deny', 'Allow')]", storage["defaultAction"]!.GetValue<string>());
        Assert.Equal("AzureServices", storage["bypass"]!.GetValue<string>());
        Assert.Contains("\"virtualNetworkSubnetId\":\"[if(empty(parameters('subnetId')), null(), parameters('subnetId'))]\"", compiled.Templates["modules/function-app.bicep"].ToJsonString(relaxed), StringComparison.Ordinal);
    }

    [Fact]
    public void The_Function_App_runs_dotnet_isolated_on_the_framework_the_code_targets()
    {
        var site = Assert.Single(
            Resources(compiled.Main),
            r => Type(r.Resource) == "Microsoft.Web/sites").Resource;
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", runtime["name"]!.GetValue<string>());

        var plan = Assert.Single(Resources(compiled.Main), r => Type(r.Resource) == "Microsoft.Web/serverfarms").Resource;
        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());

        var targetFramework = XDocumentValue(RepositoryPaths.Combine("Directory.Build.props"), "TargetFramework");
        var dotnetVersion = compiled.Main["parameters"]!["dotnetVersion"]!["defaultValue"]!.GetValue<string>();
        Assert.Equal(targetFramework, "net" + dotnetVersion);
    }

    [Fact]
    public void Azure_yaml_hooks_point_at_scripts_in_infra_hooks()
    {
        var azureYaml = File.ReadAllText(RepositoryPaths.Combine("azure.yaml"));
        var scripts = HookScript().Matches(azureYaml).Select(m => m.Groups["path"].Value).ToList();

        Assert.Equal(2, scripts.Count);
        Assert.All(scripts, script =>
        {
            Assert.StartsWith("./infra/hooks/", script, StringComparison.Ordinal);
            Assert.True(File.Exists(RepositoryPaths.Combine(script[2..])), $"{script} does not exist.");
        });
        Assert.Contains("project: ./src/Watcher.Functions", azureYaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_postdeploy_hook_runs_every_az_command_in_azds_subscription()
    {
        // az cannot run here; a stand-in on PATH records each call and hands out a key.
        var bin = Directory.CreateTempSubdirectory("watcher-az-");
        var log = Path.Combine(bin.FullName, "calls.log");
        var az = Path.Combine(bin.FullName, "az");
        await File.WriteAllTextAsync(az, $"#!/bin/sh\necho \"$*\" >> '{log}'\ncase \"$*\" in *\"keys list\"*) echo key;; esac\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var start = new System.Diagnostics.ProcessStartInfo("sh", [Path.Combine(CompiledTemplates.InfraDirectory, "hooks", "postdeploy.sh")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PATH"] = bin.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var name in new[] { "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "EVENTGRID_SYSTEM_TOPIC_NAME", "HOST_STORAGE_ACCOUNT_NAME", "EVENTGRID_DEADLETTER_CONTAINER" })
        {
            start.Environment[name] = name.ToLowerInvariant();
        }

        start.Environment["AZURE_SUBSCRIPTION_ID"] = "00000000-1111-2222-3333-444444444444";
        using (var hook = System.Diagnostics.Process.Start(start)!)
        {
            var errors = await hook.StandardError.ReadToEndAsync();
            await hook.WaitForExitAsync();
            Assert.True(hook.ExitCode == 0, errors);
        }

        var calls = await File.ReadAllLinesAsync(log);
        Assert.Equal(2, calls.Length);
        Assert.All(calls, call => Assert.Contains("--subscription 00000000-1111-2222-3333-444444444444", call, StringComparison.Ordinal));
        bin.Delete(recursive: true);

        var powershell = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "hooks", "postdeploy.ps1"));
        Assert.Equal(2, Regex.Count(powershell, @"\baz (functionapp|deployment)"));
        Assert.Equal(2, Regex.Count(powershell, @"--subscription \$env:AZURE_SUBSCRIPTION_ID"));
    }

    [Fact]
    public void The_postdeploy_hooks_pass_every_parameter_of_the_subscription_template()
    {
        var parameters = compiled.ArticlesSubscription["parameters"]!.AsObject().Select(p => p.Key).ToList();
        Assert.NotEmpty(parameters);

        foreach (var hook in new[] { "postdeploy.sh", "postdeploy.ps1" })
        {
            var script = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "hooks", hook));
            Assert.Contains("articles-subscription.bicep", script, StringComparison.Ordinal);
            var missing = parameters.Where(p => !script.Contains(p + "=", StringComparison.Ordinal)).ToList();
            Assert.True(missing.Count == 0, $"{hook} does not pass: {string.Join(", ", missing)}");

            // Every value comes from a provision output of main.bicep.
            var values = HookEnvironmentValue().Matches(script);
            Assert.True(values.Count >= parameters.Count, $"{hook} passes {values.Count} environment values for {parameters.Count} parameters.");
            foreach (Match output in values)
            {
                var name = output.Groups["name"].Value;
                Assert.True(compiled.Main["outputs"]![name] is not null, $"{hook} reads {name}, which main.bicep does not output.");
            }
        }
    }

    /// <summary>
    /// The app-setting names app-settings.bicep sets, read from its source (the compiled JSON
    /// turns them into createObject/format expressions): every key of the settings variables,
    /// with a list index (<c>${i}</c>) read as 0.
    /// </summary>
    private static HashSet<string> TemplateAppSettings()
    {
        var source = File.ReadAllText(Path.Combine(CompiledTemplates.InfraDirectory, "modules", "app-settings.bicep"));
        var start = source.IndexOf("func hostSettings", StringComparison.Ordinal);
        var end = source.IndexOf("@export()\n@description('Every app setting", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "app-settings.bicep no longer builds its settings between 'func hostSettings' and the exported appSettings.");

        var settings = SettingKey().Matches(source[start..end])
            .Select(m => ListIndex().Replace(m.Groups["key"].Value, "0"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(settings.Count > 10, $"Only {settings.Count} app settings found in app-settings.bicep.");
        return settings;
    }

    /// <summary>Null when <paramref name="setting"/> binds to a settable leaf of WatcherOptions; otherwise why not.</summary>
    private static string? ResolveOptionsPath(string setting)
    {
        var segments = setting.Split("__");
        if (segments[0] != WatcherOptions.SectionName)
        {
            return $"not in the {WatcherOptions.SectionName} section";
        }

        var type = typeof(WatcherOptions);
        foreach (var segment in segments.Skip(1))
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(segment, out _))
                {
                    return $"'{segment}' is not a list index";
                }

                type = type.GetGenericArguments()[0];
                continue;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }

            var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return $"{type.Name} has no settable property '{segment}'";
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        var leaf = type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(Uri);
        return leaf ? null : $"names the section {type.Name}, not a value";
    }

    /// <summary>Names of the children of <paramref name="type"/> created under the data storage account.</summary>
    private List<string> DataAccountChildNames(string type)
    {
        var names = new List<string>();
        foreach (var (resource, template) in Resources(compiled.Main).Where(r => Type(r.Resource) == type))
        {
            var name = resource["name"]!.GetValue<string>();
            if (!name.Contains("parameters('dataAccountName')", StringComparison.Ordinal))
            {
                continue;
            }

            // A copy loop over a variable: [length(variables('dataContainers'))].
            var count = resource["copy"]?["count"]?.GetValue<string>();
            var loopVariable = count is null ? null : VariableReference().Match(count);
            Assert.True(loopVariable is { Success: true }, $"{type} '{name}' is expected to loop over a variable of names.");
            names.AddRange(template["variables"]![loopVariable.Groups["name"].Value]!.AsArray().Select(n => n!.GetValue<string>()));
        }

        return names;
    }

    /// <summary>Every resource in a compiled template and its nested module templates, with the template that holds it.</summary>
    private static IEnumerable<(JsonObject Resource, JsonObject Template)> Resources(JsonObject template)
    {
        var resources = template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject symbolic => symbolic.Select(p => p.Value!.AsObject()),
            _ => [],
        };

        foreach (var resource in resources)
        {
            yield return (resource, template);
            if (resource["properties"] is JsonObject properties && properties["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static string? Type(JsonObject resource) => resource["type"]?.GetValue<string>();

    /// <summary>Follows a "[variables('x')]" reference to the variable's value.</summary>
    private static JsonNode? Resolve(JsonNode? node, JsonObject template)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && VariableReference().Match(value.GetValue<string>()) is { Success: true } match
            && value.GetValue<string>() == $"[variables('{match.Groups["name"].Value}')]")
        {
            return template["variables"]![match.Groups["name"].Value];
        }

        return node;
    }

    private static string XDocumentValue(string path, string element) =>
        System.Xml.Linq.XDocument.Load(path).Descendants(element).Single().Value;

    [GeneratedRegex(@"#disable-next-line\s+[\w-]+(\s+[\w-]+)*\s+//\s*\S.{3,}")]
    private static partial Regex ExplainedSuppression();

    [GeneratedRegex(@"(?<![\w$])'?(?<key>[A-Za-z][A-Za-z0-9]*(?:__(?:[A-Za-z0-9]+|\$\{[^}]+\}))+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'?\s*:(?!:)")]
    private static partial Regex SettingKey();

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex ListIndex();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"=(?:""\$|\$env:)(?<name>[A-Z][A-Z0-9_]+)")]
    private static partial Regex HookEnvironmentValue();

    [GeneratedRegex(@"run:\s*(?<path>\./\S+)")]
    private static partial Regex HookScript();
}
