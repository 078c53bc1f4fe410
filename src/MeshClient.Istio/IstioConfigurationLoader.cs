using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio;

/// <summary>
/// Reads Istio YAML (<c>ServiceEntry</c>, <c>DestinationRule</c>, <c>VirtualService</c>, <c>Sidecar</c>
/// of <c>networking.istio.io/v1</c>, <c>v1beta1</c> or <c>v1alpha3</c>) into a <see cref="MeshOptions"/>,
/// collecting every problem with its <c>file:line:column</c>. It never throws on bad input: missing
/// files, unreadable files, YAML syntax errors and invalid objects are diagnostics.
/// </summary>
/// <remarks>
/// Files may hold many documents (<c>---</c>) and <c>kind: List</c> objects with <c>items</c>. A folder
/// is read non-recursively: its <c>*.yaml</c> and <c>*.yml</c> files in ordinal name order. Other
/// kinds (Kubernetes objects, <c>Gateway</c>, <c>WorkloadEntry</c>…) are ignored and listed in
/// <see cref="IstioLoadResult.Resources"/> with <see cref="IstioResourceStatus.Ignored"/>.
/// </remarks>
public static class IstioConfigurationLoader
{
    /// <summary>Loads files and folders, in the order given (a file named twice is read once), with the default limits.</summary>
    /// <param name="pathsOrFolders">Files or folders; relative paths are relative to the current directory.</param>
    /// <returns>The options and every finding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pathsOrFolders"/> is <see langword="null"/>.</exception>
    public static IstioLoadResult Load(IEnumerable<string> pathsOrFolders) => Load(pathsOrFolders, null);

    /// <summary>Loads files and folders, in the order given (a file named twice is read once).</summary>
    /// <param name="pathsOrFolders">Files or folders; relative paths are relative to the current directory.</param>
    /// <param name="options">The input limits; <see langword="null"/> for the defaults.</param>
    /// <returns>The options and every finding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pathsOrFolders"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is zero or negative.</exception>
    /// <remarks>
    /// Only files that report a length are read (an empty file, a FIFO, a socket or a device is skipped
    /// with a warning); a file over a limit of <paramref name="options"/> is rejected as a whole with an
    /// error naming it.
    /// </remarks>
    public static IstioLoadResult Load(IEnumerable<string> pathsOrFolders, IstioLoaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(pathsOrFolders);
        options ??= new IstioLoaderOptions();
        options.Validate();
        var builder = new IstioLoadBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in pathsOrFolders)
        {
            foreach (var (display, full) in ExpandPath(path, builder))
            {
                if (!seen.Add(full))
                {
                    continue;
                }

                if (IstioFileReader.Read(builder, display, full, options) is not { } text)
                {
                    continue;
                }

                builder.Files.Add(display);
                ReadYaml(builder, text, display, options);
            }
        }

        return builder.Build();
    }

    /// <summary>Loads YAML text, for tests and tools; <paramref name="sourceName"/> stands for the file name in locations.</summary>
    /// <param name="yaml">The YAML text (one or more documents).</param>
    /// <param name="sourceName">The name used in <c>file:line:column</c> locations.</param>
    /// <returns>The options and every finding.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IstioLoadResult LoadYaml(string yaml, string sourceName) => LoadYaml(yaml, sourceName, null);

    /// <summary>Loads YAML text, for tests and tools; <paramref name="sourceName"/> stands for the file name in locations.</summary>
    /// <param name="yaml">The YAML text (one or more documents).</param>
    /// <param name="sourceName">The name used in <c>file:line:column</c> locations.</param>
    /// <param name="options">The input limits (the file size is the text's UTF-8 length); <see langword="null"/> for the defaults.</param>
    /// <returns>The options and every finding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="yaml"/> or <paramref name="sourceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is zero or negative.</exception>
    public static IstioLoadResult LoadYaml(string yaml, string sourceName, IstioLoaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= new IstioLoaderOptions();
        options.Validate();
        var builder = new IstioLoadBuilder();
        builder.Files.Add(sourceName);
        var size = (long)yaml.Length * 3 <= options.MaxFileSize ? yaml.Length : System.Text.Encoding.UTF8.GetByteCount(yaml);
        if (size > options.MaxFileSize)
        {
            builder.FileError(sourceName, IstioFileReader.TooLarge(size, options.MaxFileSize));
        }
        else
        {
            ReadYaml(builder, yaml, sourceName, options);
        }

        return builder.Build();
    }

    /// <summary>The files a path stands for: the file itself, or the <c>*.yaml</c>/<c>*.yml</c> files of a folder.</summary>
    internal static List<(string Display, string Full)> ExpandPath(string? path, IstioLoadBuilder builder)
    {
        var files = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(path))
        {
            builder.FileError("(arguments)", "a path is empty.");
            return files;
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                var names = new List<string>();
                foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.TopDirectoryOnly))
                {
                    if (IsYamlFile(file))
                    {
                        names.Add(Path.GetFileName(file));
                    }
                }

                names.Sort(StringComparer.Ordinal);
                if (names.Count == 0)
                {
                    builder.FileError(path, "the folder contains no *.yaml or *.yml files.");
                }

                foreach (var name in names)
                {
                    files.Add((Path.Join(path, name), Path.Join(full, name)));
                }
            }
            else if (File.Exists(full))
            {
                files.Add((path, full));
            }
            else
            {
                builder.FileError(path, "no such file or folder.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            builder.FileError(path, $"cannot read: {ex.Message}");
        }

        return files;
    }

    /// <summary>
    /// Guards against alias bombs ("billion laughs"): aliases make a small file a huge tree. The budget is
    /// per file, so that many small bombs cannot add up. Istio objects are far below this (a ServiceEntry
    /// with 4096 endpoints has about 50,000 nodes; a 4 MiB file without aliases at most about 2 million).
    /// </summary>
    internal const int MaxNodesPerFile = 4_000_000;

    /// <summary>Counts the nodes of <paramref name="root"/> as the mappers will walk them (aliases expanded) against <paramref name="budget"/>.</summary>
    internal static bool IsWithinSize(YamlNode root, ref int budget)
    {
        var pending = new Stack<YamlNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            if (--budget < 0)
            {
                return false;
            }

            switch (pending.Pop())
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        pending.Push(key);
                        pending.Push(value);
                    }

                    break;
                case YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }

        return true;
    }

    internal static bool IsYamlFile(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static void ReadYaml(IstioLoadBuilder builder, string text, string file, IstioLoaderOptions options)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new LimitedParser(new Parser(new StringReader(text)), options.MaxNestingDepth, options.MaxDocumentsPerFile));
        }
        catch (YamlLimitException ex)
        {
            builder.Diagnostics.Add(new IstioDiagnostic(MeshDiagnosticSeverity.Error, $"{file}:{ex.Start.Line}:{ex.Start.Column}", null, null, ex.Reason));
            return;
        }
        catch (YamlException ex)
        {
            // A syntax error rejects the whole file, as kubectl would.
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            var close = message.IndexOf("): ", StringComparison.Ordinal);
            builder.Diagnostics.Add(new IstioDiagnostic(
                MeshDiagnosticSeverity.Error,
                $"{file}:{ex.Start.Line}:{ex.Start.Column}",
                null,
                null,
                "YAML syntax error: " + DiagnosticText.Cut(message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message, 500)));
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet may fail on exotic input with other exception types; still a finding, never a crash.
            builder.FileError(file, "YAML could not be read: " + DiagnosticText.Cut(ex.Message, 500));
            return;
        }

        // Size every document before reading any: a file over the budget is rejected as a whole.
        var budget = MaxNodesPerFile;
        for (var index = 0; index < stream.Documents.Count; index++)
        {
            var root = stream.Documents[index].RootNode;
            if (!IsWithinSize(root, ref budget))
            {
                builder.Diagnostics.Add(new IstioDiagnostic(
                    MeshDiagnosticSeverity.Error,
                    $"{file}:{root.Start.Line}:{root.Start.Column}",
                    null,
                    null,
                    $"document {index} takes the file over {MaxNodesPerFile} YAML nodes (anchors and aliases count each time they are used); the file is not read."));
                return;
            }
        }

        var read = 0;
        foreach (var document in stream.Documents)
        {
            if (YamlNodes.IsNull(document.RootNode))
            {
                continue; // an empty document (only comments, or a trailing ---)
            }

            builder.ReadObject(file, document.RootNode, read, itemIndex: null);
            read++;
        }
    }
}
