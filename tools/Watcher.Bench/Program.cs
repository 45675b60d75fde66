using Watcher.Bench;

return await BenchCommand.Create().Parse(args).InvokeAsync();
