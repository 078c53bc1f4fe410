// MeshClient benchmarks. Run all:   dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*'
// Quick run (ShortRun job):         dotnet run -c Release --project benchmarks/MeshClient.Benchmarks -- --filter '*' --job short
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
