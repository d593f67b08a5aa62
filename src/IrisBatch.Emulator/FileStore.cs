using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace IrisBatch.Emulator;

/// <summary>A file the emulator holds: metadata in memory, bytes on disk.</summary>
public sealed class StoredFile
{
    public required string Id { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required long Bytes { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>True for the output and error files the emulator wrote for a batch (what malformed_line faults break).</summary>
    public bool IsResult { get; init; }
    /// <summary>
    /// The service whose Files API holds the file ("openai" for OpenAI and Azure, "groq", "mistral", "together"): another service's
    /// routes answer as if it did not exist, as separate accounts would. Empty: not set (the surfaces that share one store).
    /// </summary>
    public string Account { get; init; } = "";
    /// <summary>When the file is processed (Azure answers <c>pending</c> before); null: processed from the start.</summary>
    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Whether the file is still being processed at <paramref name="now"/>.</summary>
    public bool IsPending(DateTimeOffset now) => ProcessedAt is { } at && now < at;
    internal string Path { get; init; } = "";
    internal long Seq { get; init; }

    /// <summary>Opens the bytes for reading; still readable if the file is deleted meanwhile.</summary>
    internal FileStream OpenRead() =>
        new(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
}

/// <summary>
/// Provider-neutral file storage in one data folder. Contents are streamed to and from disk, never held whole in memory.
/// </summary>
internal sealed class FileStore : IDisposable
{
    private readonly string _dir;
    private readonly bool _ownsDir;
    private readonly ConcurrentDictionary<string, StoredFile> _files = new();
    private long _seq;

    public FileStore(string? dataDir)
    {
        _ownsDir = dataDir is null;
        _dir = dataDir ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "irisbatch-emulator-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    /// <summary>A fresh path in the data folder for a file being written.</summary>
    public string NewTempPath() => System.IO.Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".tmp");

    /// <summary>Makes a fully written file at <paramref name="path"/> known under a new id.</summary>
    /// <param name="id">The id to give it (Mistral's UUIDs, Groq's file_01…); default the prefix and 22 letters or digits.</param>
    public StoredFile Register(string path, string idPrefix, string filename, string purpose, DateTimeOffset now, TimeSpan? expiresAfter,
        string? id = null, bool isResult = false, string account = "")
    {
        id ??= Ids.Alphanumeric(idPrefix, 22);
        string final = System.IO.Path.Combine(_dir, id);
        File.Move(path, final);
        var f = new StoredFile
        {
            Id = id,
            Filename = filename,
            Purpose = purpose,
            Bytes = new FileInfo(final).Length,
            CreatedAt = now,
            ExpiresAt = expiresAfter is { } e ? now + e : null,
            IsResult = isResult,
            Account = account,
            Path = final,
            Seq = Interlocked.Increment(ref _seq),
        };
        _files[id] = f;
        return f;
    }

    public bool TryGet(string id, out StoredFile file) => _files.TryGetValue(id, out file!);

    /// <summary>Newest first.</summary>
    public IReadOnlyList<StoredFile> List() => _files.Values.OrderByDescending(f => f.Seq).ToList();

    public bool Delete(string id)
    {
        if (!_files.TryRemove(id, out var f)) return false;
        TryDeleteFile(f.Path);
        return true;
    }

    public static void TryDeleteFile(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Clear()
    {
        foreach (string id in _files.Keys.ToList()) Delete(id);
        foreach (string tmp in Directory.EnumerateFiles(_dir, "*.tmp")) TryDeleteFile(tmp);
    }

    public void Dispose()
    {
        Clear();
        if (_ownsDir)
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
