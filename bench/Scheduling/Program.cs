using FleetPods.Bench.Scheduling;

if (args is ["serve", ..])
{
    return await ServerSilo.Run(args);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"scheduling-bench: {ex.Message}");
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

try
{
    return await SchedulingRun.Execute(options);
}
catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or OrleansException or TimeoutException)
{
    await Console.Error.WriteLineAsync($"scheduling-bench: {ex.Message}");
    return 1;
}
