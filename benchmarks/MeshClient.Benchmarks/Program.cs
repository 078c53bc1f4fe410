// MeshClient benchmarks. Run all:   dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*'
// Quick run (ShortRun job):         dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*' --job short
// Allocations per request only:     dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --probe
using BenchmarkDotNet.Running;
using MeshClient.Benchmarks;

if (args is ["--probe"])
{
    AllocationProbe.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
