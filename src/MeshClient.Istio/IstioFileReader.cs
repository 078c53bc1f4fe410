using System.Text;

namespace MeshClient.Istio;

/// <summary>
/// Reads one configuration file with bounds: only files that report a length (regular files), at most
/// <see cref="IstioLoaderOptions.MaxFileSize"/> bytes, within <see cref="IstioLoaderOptions.ReadTimeout"/>.
/// </summary>
/// <remarks>
/// .NET does not expose the file type, but FIFOs, sockets and devices report a length of 0 (as does an
/// empty file, which has nothing to read): such files are never opened, because opening a FIFO blocks
/// until a writer appears and reading a device may never end. The read itself runs on a dedicated
/// background thread, so a read that blocks anyway (a file swapped for a FIFO after the check, a hung
/// network share) is abandoned after the timeout and never holds up a reload or process exit.
/// </remarks>
internal static class IstioFileReader
{
    public static string? Read(IstioLoadBuilder builder, string display, string full, IstioLoaderOptions options)
    {
        long length;
        try
        {
            length = new FileInfo(full).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            builder.FileError(display, $"cannot read the file: {ex.Message}");
            return null;
        }

        if (length == 0)
        {
            builder.FileWarning(display, "the file is empty or is not a regular file (FIFOs, sockets and devices report no length); it is skipped.");
            return null;
        }

        if (length > options.MaxFileSize)
        {
            builder.FileError(display, TooLarge(length, options.MaxFileSize));
            return null;
        }

        return ReadWithTimeout(builder, display, full, options);
    }

    /// <summary>Reads on a dedicated background thread and gives up after <see cref="IstioLoaderOptions.ReadTimeout"/>.</summary>
    internal static string? ReadWithTimeout(IstioLoadBuilder builder, string display, string full, IstioLoaderOptions options)
    {
        var read = Task.Factory.StartNew(
            static state =>
            {
                var (path, max) = ((string, long))state!;
                return ReadCapped(path, max);
            },
            (full, options.MaxFileSize),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            // A real-time bound on a blocking system call: a TimeProvider could not unblock it either.
            if (!read.Wait(options.ReadTimeout))
            {
                builder.FileError(display, $"the file could not be read within {options.ReadTimeout.TotalSeconds:0.###} s (IstioLoaderOptions.ReadTimeout); only regular files are read. The read is abandoned.");
                return null;
            }
        }
        catch (AggregateException ex) when (ex.InnerException is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            builder.FileError(display, $"cannot read the file: {ex.InnerException.Message}");
            return null;
        }

        if (read.Result is null)
        {
            builder.FileError(display, TooLarge(null, options.MaxFileSize));
        }

        return read.Result;
    }

    internal static string TooLarge(long? length, long max) =>
        (length is { } size ? $"the file is {size} bytes, more than" : "the file grew beyond")
        + $" the limit of {max} bytes (IstioLoaderOptions.MaxFileSize); it is not read.";

    /// <summary>The text of the file, or <see langword="null"/> when it holds more than <paramref name="max"/> bytes (it may grow after the length check).</summary>
    internal static string? ReadCapped(string path, long max)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        using var bytes = new MemoryStream();
        var buffer = new byte[81920];
        int count;
        while ((count = file.Read(buffer, 0, (int)Math.Min(buffer.Length, max + 1 - bytes.Length))) > 0)
        {
            bytes.Write(buffer, 0, count);
            if (bytes.Length > max)
            {
                return null;
            }
        }

        bytes.Position = 0;
        using var reader = new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
