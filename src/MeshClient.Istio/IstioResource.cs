namespace MeshClient.Istio;

/// <summary>One object (YAML document, or item of a <c>kind: List</c>) read by <see cref="IstioConfigurationLoader"/>.</summary>
public sealed class IstioResource
{
    internal IstioResource(string file, int line, int column, int documentIndex, int? itemIndex, string? apiVersion, string? kind, string? metadataNamespace, string? name)
    {
        File = file;
        Line = line;
        Column = column;
        DocumentIndex = documentIndex;
        ItemIndex = itemIndex;
        ApiVersion = apiVersion;
        Kind = kind;
        Namespace = metadataNamespace;
        Name = name;
    }

    /// <summary>Gets the file the object was read from, as the path was given (folder + file name for folders).</summary>
    public string File { get; }

    /// <summary>Gets the 1-based line where the object starts.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column where the object starts.</summary>
    public int Column { get; }

    /// <summary>Gets the 0-based index of the YAML document in its file (empty documents are not counted).</summary>
    public int DocumentIndex { get; }

    /// <summary>Gets the 0-based index in <c>items</c> when the object is an item of a <c>kind: List</c>; otherwise <see langword="null"/>.</summary>
    public int? ItemIndex { get; }

    /// <summary>Gets the <c>apiVersion</c>, for example <c>networking.istio.io/v1</c>.</summary>
    public string? ApiVersion { get; }

    /// <summary>Gets the <c>kind</c>, for example <c>ServiceEntry</c>.</summary>
    public string? Kind { get; }

    /// <summary>Gets <c>metadata.namespace</c>, or <see langword="null"/> when absent.</summary>
    public string? Namespace { get; }

    /// <summary>Gets <c>metadata.name</c>, or <see langword="null"/> when absent.</summary>
    public string? Name { get; }

    /// <summary>Gets what the loader did with the object.</summary>
    public IstioResourceStatus Status { get; internal set; }

    /// <summary>Gets why the object was ignored, when <see cref="Status"/> is <see cref="IstioResourceStatus.Ignored"/>.</summary>
    public string? IgnoredReason { get; internal set; }

    /// <summary>Gets <c>file:line:column</c> of the start of the object.</summary>
    public string Location => $"{File}:{Line}:{Column}";

    /// <summary>Gets <c>namespace/name</c>, or <c>name</c> when there is no namespace, or <c>(unnamed)</c>.</summary>
    public string DisplayName => Name is null ? "(unnamed)" : Namespace is null ? Name : Namespace + "/" + Name;

    /// <inheritdoc />
    public override string ToString() => $"{Location} {Kind ?? "(no kind)"} {DisplayName}";
}
