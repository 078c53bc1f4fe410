// MeshClient benchmarks. Run all:   dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*'
// Quick run (ShortRun job):         dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*' --job short
// Allocations per request only:     dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --probe
// ... by type (sampled):             dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --probe-types
using BenchmarkDotNet.Running;
using MeshClient.Benchmarks;

if (args is ["--probe"] or ["--probe-types"])
{
    AllocationProbe.Run(byType: args[0] == "--probe-types");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
