using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Backup;

/// <summary>
/// manifest.json of a backup folder: the topology's spec (the export, without secrets), one entry per node whose
/// data was saved, the Redis version and the time. SHA256SUMS beside it holds the SHA-256 of every file, the
/// manifest included (the format of sha256sum, so `sha256sum -c SHA256SUMS` checks a backup by hand too).
/// </summary>
public sealed record BackupManifest(
    string Format, string Topology, DateTimeOffset CreatedAt, string ModuleVersion, TopologySpec Spec,
    IReadOnlyList<BackupNodeEntry> Nodes)
{
    public const string CurrentFormat = "redisdocker/backup@1";
    public const string FileName = "manifest.json";
    public const string SumsFileName = "SHA256SUMS";
}

/// <summary>One saved node: its role and slots at backup time, and its RDB file (relative path, SHA-256,
/// size).</summary>
public sealed record BackupNodeEntry(
    string Name, string Role, IReadOnlyList<string> Slots, string? RedisVersion, bool AppendOnly, long Keys,
    string File, string Sha256, long Length, DateTimeOffset SavedAt);

/// <summary>Reads and writes backup folders: owner-only permissions, checksums, and the checks made before a
/// restore.</summary>
public static class BackupFolder
{
    private const UnixFileMode OwnerDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder (and its data subfolder) readable by the owner only (0700 on Unix; on Windows
    /// it inherits its parent's ACL).</summary>
    public static void Create(string path)
    {
        foreach (var dir in new[] { path, Path.Combine(path, "data") })
        {
            if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(dir); continue; }
            Directory.CreateDirectory(dir, OwnerDir);
            File.SetUnixFileMode(dir, OwnerDir);
        }
    }

    /// <summary>Writes a file readable by the owner only (0600 on Unix).</summary>
    public static void WriteFile(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerFile;
        using (var fs = new FileStream(path, options)) fs.Write(content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, OwnerFile);
    }

    public static string Sha256(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Writes manifest.json and SHA256SUMS (every data file, then the manifest).</summary>
    public static void WriteManifest(string folder, BackupManifest manifest)
    {
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(manifest, TopologyOperations.JsonOptions));
        WriteFile(Path.Combine(folder, BackupManifest.FileName), json);
        var sums = new StringBuilder();
        foreach (var n in manifest.Nodes) sums.Append(n.Sha256).Append("  ").Append(n.File).Append('\n');
        sums.Append(Sha256(json)).Append("  ").Append(BackupManifest.FileName).Append('\n');
        WriteFile(Path.Combine(folder, BackupManifest.SumsFileName), Encoding.UTF8.GetBytes(sums.ToString()));
    }

    /// <summary>
    /// Reads a backup and checks every checksum before anything is made: a missing, altered or truncated file
    /// raises BackupCorrupted naming it. Returns the manifest and the content of each node's RDB.
    /// </summary>
    public static (BackupManifest Manifest, IReadOnlyDictionary<string, byte[]> Data) ReadVerified(string folder)
    {
        var sumsPath = Path.Combine(folder, BackupManifest.SumsFileName);
        var manifestPath = Path.Combine(folder, BackupManifest.FileName);
        if (!File.Exists(sumsPath) || !File.Exists(manifestPath))
            throw Errors.BackupCorrupted(
                $"'{folder}' is not a backup folder: {BackupManifest.FileName} or {BackupManifest.SumsFileName} is "
                + "missing. Give the folder Backup-RedisTopology -Path wrote.", folder);
        var sums = ParseSums(File.ReadAllText(sumsPath), folder);
        var json = File.ReadAllBytes(manifestPath);
        Check(sums, BackupManifest.FileName, json, folder);
        BackupManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<BackupManifest>(json, TopologyOperations.JsonOptions); }
        catch (JsonException e)
        {
            throw Errors.BackupCorrupted($"{manifestPath} is not valid JSON: {e.Message}", folder);
        }
        if (manifest is null || manifest.Format != BackupManifest.CurrentFormat || manifest.Spec is null)
            throw Errors.BackupCorrupted(
                $"{manifestPath} is not a RedisDocker backup manifest ({BackupManifest.CurrentFormat}).", folder);
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var n in manifest.Nodes)
        {
            var full = Path.GetFullPath(Path.Combine(folder, n.File));
            if (!full.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal) || !File.Exists(full))
                throw Errors.BackupCorrupted($"The data file of node '{n.Name}' ({n.File}) is missing.", n.Name);
            var bytes = File.ReadAllBytes(full);
            Check(sums, n.File, bytes, folder);
            if (Sha256(bytes) != n.Sha256 || bytes.Length < 9 || Encoding.ASCII.GetString(bytes, 0, 5) != "REDIS")
                throw Errors.BackupCorrupted(
                    $"{n.File} (node '{n.Name}') is not the RDB file the backup saved.", n.Name);
            data[n.Name] = bytes;
        }
        return (manifest, data);
    }

    private static Dictionary<string, string> ParseSums(string text, string folder)
    {
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split("  ", 2);
            if (parts.Length != 2 || parts[0].Length != 64)
                throw Errors.BackupCorrupted(
                    $"{BackupManifest.SumsFileName} of '{folder}' is damaged: '{line}'.", folder);
            sums[parts[1].Trim()] = parts[0];
        }
        return sums;
    }

    private static void Check(Dictionary<string, string> sums, string file, byte[] content, string folder)
    {
        if (!sums.TryGetValue(file, out var expected))
            throw Errors.BackupCorrupted(
                $"{BackupManifest.SumsFileName} of '{folder}' has no checksum for {file}.", file);
        if (!string.Equals(expected, Sha256(content), StringComparison.OrdinalIgnoreCase))
            throw Errors.BackupCorrupted(
                $"{file} in '{folder}' does not match its SHA-256 in {BackupManifest.SumsFileName}: the file was "
                + "altered or truncated. Restore from another backup; nothing was created.", file);
    }
}
