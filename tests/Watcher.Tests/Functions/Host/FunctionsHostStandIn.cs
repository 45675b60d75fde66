using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Tests.Functions.Host.Rpc;

namespace Watcher.Tests.Functions.Host;

/// <summary>
/// The Functions host's side of the worker protocol, as far as a test needs it: a gRPC server
/// on loopback, the published worker started with the settings the host passes, the handshake
/// (start stream, init, worker indexing, one load per function) and then one invocation at a
/// time. Written by hand because no test host for isolated workers exists
/// (azure-functions-dotnet-worker#281) and Core Tools cannot be installed here.
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication server;
    private readonly WorkerStream stream;
    private readonly Process worker;
    private readonly StringBuilder output = new();
    private readonly Stopwatch sinceStart = Stopwatch.StartNew();

    private FunctionsHostStandIn(WebApplication server, WorkerStream stream, Process worker)
    {
        this.server = server;
        this.stream = stream;
        this.worker = worker;
    }

    /// <summary>Each function the worker reported, by name, as it was loaded.</summary>
    public IReadOnlyDictionary<string, RpcFunctionMetadata> Functions { get; private set; } = new Dictionary<string, RpcFunctionMetadata>();

    /// <summary>From starting the worker process to its last function loaded.</summary>
    public TimeSpan StartedIn { get; private set; }

    /// <summary>Time since the worker process was started.</summary>
    public TimeSpan SinceStart => sinceStart.Elapsed;

    /// <summary>What the worker logged to the host (its ILogger output travels as RpcLog).</summary>
    public IReadOnlyCollection<RpcLog> Logs => stream.Logs;

    /// <summary>The worker process's own console output, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<FunctionsHostStandIn> StartAsync(string appDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var stream = new WorkerStream();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(stream);
        var server = builder.Build();
        server.MapGrpcService<FunctionRpcService>();
        await server.StartAsync();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var worker = Process.Start(WorkerStartInfo(appDirectory, new Uri(address), settings))!;
        var host = new FunctionsHostStandIn(server, stream, worker);
        worker.OutputDataReceived += (_, e) => host.Append(e.Data);
        worker.ErrorDataReceived += (_, e) => host.Append(e.Data);
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await host.HandshakeAsync(appDirectory);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.StartedIn = host.SinceStart;
        return host;
    }

    /// <summary>
    /// How the Functions host starts a dotnet-isolated worker: the worker settings of its
    /// language worker provider plus the app settings, here pointed at <paramref name="hostEndpoint"/>.
    /// </summary>
    public static ProcessStartInfo WorkerStartInfo(string appDirectory, Uri hostEndpoint, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(appDirectory, "Watcher.Functions.dll") },
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                ["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory,
                ["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory,
                ["AzureWebJobsScriptRoot"] = appDirectory,
                ["Functions__Worker__HostEndpoint"] = hostEndpoint.AbsoluteUri,
                ["Functions__Worker__WorkerId"] = Guid.NewGuid().ToString(),
                ["Functions__Worker__RequestId"] = Guid.NewGuid().ToString(),
                ["Functions__Worker__GrpcMaxMessageLength"] = "2147483647",
            },
        };
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Invokes <paramref name="function"/> with the trigger's input, as the host does when it fires.</summary>
    public async Task<InvocationResponse> InvokeAsync(string function, ParameterBinding trigger, IReadOnlyDictionary<string, TypedData>? triggerMetadata = null)
    {
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = Functions[function].FunctionId,
            InputData = { trigger },
            TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" },
            RetryContext = new RetryContext { RetryCount = 0, MaxRetryCount = 0 },
        };
        foreach (var (name, value) in triggerMetadata ?? new Dictionary<string, TypedData>())
        {
            request.TriggerMetadata[name] = value;
        }

        var reply = await RequestAsync(new StreamingMessage { InvocationRequest = request });
        return reply.InvocationResponse ?? throw new InvalidOperationException($"{function}: the worker answered {reply.ContentCase} to an invocation");
    }

    public async ValueTask DisposeAsync()
    {
        stream.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
        stream.Complete();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await worker.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                worker.Kill(entireProcessTree: true);
            }
        }

        worker.Dispose();
        await server.StopAsync();
        await server.DisposeAsync();
    }

    private async Task HandshakeAsync(string appDirectory)
    {
        var started = await Task.WhenAny(stream.Started, Task.Delay(ReplyTimeout), worker.WaitForExitAsync());
        if (started != stream.Started)
        {
            throw new InvalidOperationException($"The worker did not open its event stream (exited: {worker.HasExited}):\n{Output}");
        }

        var init = await RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.0.0", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory },
        });
        EnsureSuccess("worker init", init.WorkerInitResponse.Result);

        var indexed = await RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        });
        var metadata = indexed.FunctionMetadataResponse;
        EnsureSuccess("worker indexing", metadata.Result);
        var functions = metadata.UseDefaultMetadataIndexing
            ? ReadFunctionsMetadataFile(appDirectory)
            : metadata.FunctionMetadataResults.ToList();

        var loaded = new Dictionary<string, RpcFunctionMetadata>(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            var definition = WithBindings(function);
            var load = await RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = definition.FunctionId, Metadata = definition },
            });
            EnsureSuccess($"loading {function.Name}", load.FunctionLoadResponse.Result);
            loaded[definition.Name] = definition;
        }

        Functions = loaded;
    }

    /// <summary>
    /// The host turns each raw binding the worker reported into the typed binding map it sends
    /// back on load; the worker builds its bindings from that map.
    /// </summary>
    private static RpcFunctionMetadata WithBindings(RpcFunctionMetadata reported)
    {
        var definition = reported.Clone();
        if (string.IsNullOrEmpty(definition.FunctionId))
        {
            definition.FunctionId = Guid.NewGuid().ToString();
        }

        definition.Bindings.Clear();
        foreach (var raw in reported.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            var info = new BindingInfo
            {
                Type = root.GetProperty("type").GetString()!,
                Direction = Enum.Parse<BindingInfo.Types.Direction>(root.GetProperty("direction").GetString()!, ignoreCase: true),
            };
            if (root.TryGetProperty("dataType", out var dataType))
            {
                info.DataType = Enum.Parse<BindingInfo.Types.DataType>(dataType.GetString()!, ignoreCase: true);
            }

            if (root.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    info.Properties[property.Name] = property.Value.ToString();
                }
            }

            definition.Bindings[root.GetProperty("name").GetString()!] = info;
        }

        return definition;
    }

    private static List<RpcFunctionMetadata> ReadFunctionsMetadataFile(string appDirectory)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "functions.metadata")));
        return file.RootElement.EnumerateArray().Select(f => new RpcFunctionMetadata
        {
            Name = f.GetProperty("name").GetString()!,
            ScriptFile = f.GetProperty("scriptFile").GetString()!,
            EntryPoint = f.GetProperty("entryPoint").GetString()!,
            Language = f.GetProperty("language").GetString()!,
            Directory = appDirectory,
            RawBindings = { f.GetProperty("bindings").EnumerateArray().Select(b => b.GetRawText()) },
        }).ToList();
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage request)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var reply = stream.Expect(request.RequestId);
        stream.Send(request);
        var done = await Task.WhenAny(reply, Task.Delay(ReplyTimeout), worker.WaitForExitAsync());
        if (done != reply)
        {
            throw new InvalidOperationException($"No reply to {request.ContentCase} within {ReplyTimeout.TotalSeconds:0} s (worker exited: {worker.HasExited}):\n{Output}");
        }

        return await reply;
    }

    private void EnsureSuccess(string step, StatusResult result)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{step} failed: {result.Exception?.Message}\n{result.Exception?.StackTrace}\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>The one event stream the worker opens: what the host sends, and replies matched by request id.</summary>
    public sealed class WorkerStream
    {
        private readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> replies = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<RpcLog> logs = new();

        public Task Started => started.Task;

        public IReadOnlyCollection<RpcLog> Logs => logs;

        public void Send(StreamingMessage message) => outbound.Writer.TryWrite(message);

        public void Complete() => outbound.Writer.TryComplete();

        public Task<StreamingMessage> Expect(string requestId) =>
            replies.GetOrAdd(requestId, _ => new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        internal async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
        {
            var writing = Task.Run(
                async () =>
                {
                    await foreach (var message in outbound.Reader.ReadAllAsync(cancellationToken))
                    {
                        await toWorker.WriteAsync(message, cancellationToken);
                    }
                },
                cancellationToken);

            await foreach (var message in fromWorker.ReadAllAsync(cancellationToken))
            {
                switch (message.ContentCase)
                {
                    case StreamingMessage.ContentOneofCase.StartStream:
                        started.TrySetResult();
                        break;
                    case StreamingMessage.ContentOneofCase.RpcLog:
                        logs.Enqueue(message.RpcLog);
                        break;
                    default:
                        replies.GetOrAdd(message.RequestId, _ => new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(message);
                        break;
                }
            }

            outbound.Writer.TryComplete();
            await writing;
        }
    }

    private sealed class FunctionRpcService(WorkerStream stream) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
            stream.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
