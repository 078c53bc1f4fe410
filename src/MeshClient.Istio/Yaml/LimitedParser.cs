using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshClient.Istio.Yaml;

/// <summary>
/// Wraps YamlDotNet's event parser (a state machine, no recursion) and stops at the first event that
/// exceeds a limit, before <c>YamlStream</c> builds nodes: its node construction recurses once per
/// nesting level, so 30,000 nested <c>[</c> would overflow the stack and end the process.
/// </summary>
internal sealed class LimitedParser(IParser inner, int maxDepth, int maxDocuments) : IParser
{
    private int _depth;
    private int _documents;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart when ++_depth > maxDepth:
                throw new YamlLimitException(inner.Current, $"YAML nesting is deeper than {maxDepth} levels (IstioLoaderOptions.MaxNestingDepth); the file is not read.");
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
            case DocumentStart when ++_documents > maxDocuments:
                throw new YamlLimitException(inner.Current, $"the file holds more than {maxDocuments} YAML documents (IstioLoaderOptions.MaxDocumentsPerFile); it is not read.");
        }

        return true;
    }
}

/// <summary>A file exceeds one of the <see cref="IstioLoaderOptions"/> limits.</summary>
internal sealed class YamlLimitException(ParsingEvent at, string reason) : YamlException(at.Start, at.End, reason)
{
    /// <summary>Gets the message without YamlDotNet's location prefix (the diagnostic carries the location).</summary>
    public string Reason { get; } = reason;
}
