namespace MeshClient; internal static class Placeholder { }
