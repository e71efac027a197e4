using System.Globalization;
using Registry.Build.Benchmarks;

// dotnet run --project tests/Benchmarks -c Release -- converge [--repetitions=5] [--latencies=0,50]
// (./build.sh --target=Benchmark --benchmark=converge runs it so.)
var repetitions = 5;
TimeSpan[] latencies = [TimeSpan.Zero, TimeSpan.FromMilliseconds(50)];
foreach (var arg in args.Skip(1))
{
    if (arg.StartsWith("--repetitions=", StringComparison.Ordinal) && int.TryParse(arg["--repetitions=".Length..], CultureInfo.InvariantCulture, out var count) && count > 0)
    {
        repetitions = count;
    }
    else if (arg.StartsWith("--latencies=", StringComparison.Ordinal))
    {
        latencies = [.. arg["--latencies=".Length..].Split(',').Select(each => TimeSpan.FromMilliseconds(double.Parse(each, CultureInfo.InvariantCulture)))];
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument {arg}; expected --repetitions=N or --latencies=MS,MS.");
        return 2;
    }
}

if (args is not ["converge", ..])
{
    Console.Error.WriteLine("Usage: Benchmarks converge [--repetitions=5] [--latencies=0,50]");
    return 2;
}

return await ConvergeBenchmark.RunAsync(repetitions, latencies);
