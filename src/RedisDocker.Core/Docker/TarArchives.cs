using System.Formats.Tar;

namespace RedisDocker.Core.Docker;

/// <summary>Builds and reads the tar streams of the archive endpoints.</summary>
internal static class TarArchives
{
    /// <summary>
    /// A tar, meant to be extracted at "/", holding <paramref name="directory"/> (with the given mode and owner, so it
    /// is created when absent),
    /// any subfolders named by the files, and the files. Entry names are relative ("etc/redisdocker/redis.conf").
    /// Missing ancestors of <paramref name="directory"/> are created by the engine (0755, root).
    /// </summary>
    public static MemoryStream Build(string directory, IReadOnlyList<ArchiveFile> files, int dirMode, int dirUid,
        int dirGid)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        var dir = NormalizeDirectory(directory);
        var mtime = DateTimeOffset.UtcNow;
        var ms = new MemoryStream();
        using (var writer = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            var written = new HashSet<string>(StringComparer.Ordinal);

            void WriteDirectory(string name)
            {
                if (name.Length == 0 || !written.Add(name))
                {
                    return;
                }

                // No trailing slash: the engine then creates missing parents before this entry.
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name)
                {
                    Mode = (UnixFileMode)(dirMode & 0xFFF),
                    Uid = dirUid,
                    Gid = dirGid,
                    ModificationTime = mtime,
                });
            }

            WriteDirectory(dir);
            foreach (var file in files)
            {
                ArgumentNullException.ThrowIfNull(file);
                var relative = NormalizeRelative(file.Name);
                var slash = relative.LastIndexOf('/');
                if (slash > 0)
                {
                    var parts = relative[..slash].Split('/');
                    for (var i = 1; i <= parts.Length; i++)
                    {
                        WriteDirectory(Join(dir, string.Join('/', parts, 0, i)));
                    }
                }

                var entry = new PaxTarEntry(TarEntryType.RegularFile, Join(dir, relative))
                {
                    Mode = (UnixFileMode)(file.Mode & 0xFFF),
                    Uid = file.Uid,
                    Gid = file.Gid,
                    ModificationTime = mtime,
                    DataStream = new MemoryStream(file.Content ?? Array.Empty<byte>(), writable: false),
                };
                writer.WriteEntry(entry);
            }
        }

        ms.Position = 0;
        return ms;
    }

    /// <summary>
    /// The content of the regular file at the top of a GET archive tar, following a symlink entry by returning its
    /// target
    /// through <paramref name="linkTarget"/> instead. Returns null content for a directory.
    /// </summary>
    public static (byte[]? Content, string? LinkTarget, TarEntryType? Type) ReadSingleFile(Stream tar)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    using (var content = new MemoryStream())
                    {
                        entry.DataStream?.CopyTo(content);
                        return (content.ToArray(), null, entry.EntryType);
                    }
                case TarEntryType.SymbolicLink:
                    return (null, entry.LinkName, entry.EntryType);
                case TarEntryType.Directory:
                    return (null, null, entry.EntryType);
            }
        }

        return (null, null, null);
    }

    private static string NormalizeDirectory(string directory)
    {
        var d = directory.Replace('\\', '/').Trim();
        if (!d.StartsWith('/'))
        {
            throw new ArgumentException($"The container directory '{directory}' must be an absolute path like "
                + $"/etc/redisdocker.", nameof(directory));
        }

        var parts = d.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"The container directory '{directory}' must not contain '.' or '..'.",
                nameof(directory));
        }

        return string.Join('/', parts);
    }

    private static string NormalizeRelative(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An archive file has an empty name.", nameof(name));
        }

        var n = name.Replace('\\', '/');
        var parts = n.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (n.StartsWith('/') || parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"The archive file name '{name}' must be relative to the directory, without "
                + $"'.' or '..'.", nameof(name));
        }

        return string.Join('/', parts);
    }

    private static string Join(string dir, string relative) => dir.Length == 0 ? relative : dir + "/" + relative;
}
