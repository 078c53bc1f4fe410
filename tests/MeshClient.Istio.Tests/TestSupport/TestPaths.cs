namespace MeshClient.Istio.Tests;

/// <summary>Finds the repository and the shared Istio corpus (../shared/corpus/istio from the repository root).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MeshClient.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"MeshClient.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The corpus folder; skips the test when it is missing, except under CI=true where that fails.</summary>
    public static string CorpusDirectory
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus", "istio"));
            if (Directory.Exists(path))
            {
                return path;
            }

            var reason = $"The Istio corpus is missing: expected {path} (../shared/corpus/istio from the repository root).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(reason + " CI=true: the corpus is required.");
            }

            Assert.Skip(reason);
            return path;
        }
    }

    public static string CorpusFile(string name) => Path.Combine(CorpusDirectory, name);
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "meshclient-istio-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
