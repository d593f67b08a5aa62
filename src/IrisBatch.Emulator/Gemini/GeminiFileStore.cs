using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading;

namespace IrisBatch.Emulator.Gemini;

/// <summary>A file of the Gemini Files API: Google's metadata over bytes kept in the shared <see cref="FileStore"/>.</summary>
internal sealed class GeminiFile
{
    public const string Uploaded = "UPLOADED", Generated = "GENERATED";

    /// <summary>The id without <c>files/</c>: lowercase letters, digits and dashes.</summary>
    public required string Id { get; init; }
    public string Name => "files/" + Id;
    public string? DisplayName { get; init; }
    public required string MimeType { get; init; }
    public required StoredFile Stored { get; init; }
    public required string Source { get; init; }
    public required string Sha256Base64 { get; init; }
    public long Seq { get; init; }

    /// <param name="origin">Scheme and host the client reached us through; <c>uri</c> points there.</param>
    public JsonObject ToJson(string origin)
    {
        var o = new JsonObject { ["name"] = Name };
        if (!string.IsNullOrEmpty(DisplayName)) o["displayName"] = DisplayName;
        o["mimeType"] = MimeType;
        o["sizeBytes"] = ProtoJson.Int64(Stored.Bytes);
        o["createTime"] = ProtoJson.Time(Stored.CreatedAt);
        o["updateTime"] = ProtoJson.Time(Stored.CreatedAt);
        if (Stored.ExpiresAt is { } e) o["expirationTime"] = ProtoJson.Time(e);
        o["sha256Hash"] = Sha256Base64;
        o["uri"] = $"{origin}/v1beta/{Name}";
        if (Source == Generated) o["downloadUri"] = $"{origin}/download/v1beta/{Name}:download?alt=media";
        o["state"] = "ACTIVE";
        o["source"] = Source;
        return o;
    }
}

/// <summary>An open resumable upload (<c>X-Goog-Upload-Protocol: resumable</c>): bytes so far in a temp file.</summary>
internal sealed class UploadSession
{
    public required string Id { get; init; }
    public string? FileId { get; init; }
    public string? DisplayName { get; init; }
    public required string MimeType { get; init; }
    public long? DeclaredLength { get; init; }
    public required string TempPath { get; init; }
    public long Received { get; set; }

    /// <summary>Set once finalized: a repeated finalize answers the same file, it never makes a second one.</summary>
    public GeminiFile? Final { get; set; }

    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>The Gemini Files API's files and open upload sessions. Files expire 48 h after upload, as Google's do.</summary>
internal sealed class GeminiFileStore(EmulatorState state)
{
    public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;
    public const string Purpose = "gemini";
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(48);

    private readonly ConcurrentDictionary<string, GeminiFile> _files = new();
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new();
    private long _seq;

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 40 && id[0] != '-' && id[^1] != '-' && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    public string NewTempPath() => state.Files.NewTempPath();

    public bool Exists(string id) => _files.ContainsKey(id) || _sessions.Values.Any(s => s.FileId == id);

    public UploadSession StartUpload(string? fileId, string? displayName, string mimeType, long? declaredLength)
    {
        var session = new UploadSession
        {
            Id = Ids.Alphanumeric("AB", 48),
            FileId = fileId,
            DisplayName = displayName,
            MimeType = mimeType,
            DeclaredLength = declaredLength,
            TempPath = state.Files.NewTempPath(),
        };
        File.WriteAllBytes(session.TempPath, Array.Empty<byte>());
        _sessions[session.Id] = session;
        return session;
    }

    public bool TryGetSession(string id, out UploadSession session) => _sessions.TryGetValue(id, out session!);

    /// <summary>Makes the session's bytes a file. Called under the session's gate.</summary>
    public GeminiFile FinishUpload(UploadSession session)
    {
        var file = Register(session.TempPath, session.FileId, session.DisplayName, session.MimeType, GeminiFile.Uploaded);
        session.Final = file;
        return file;
    }

    /// <summary>Registers a fully written file under <paramref name="id"/> (a fresh one when null).</summary>
    public GeminiFile Register(string path, string? id, string? displayName, string mimeType, string source)
    {
        string sha;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            sha = Convert.ToBase64String(SHA256.HashData(f));
        id ??= NewId();
        var stored = state.Files.Register(path, "gemini-", displayName ?? id, Purpose, state.Now, Expiry);
        var file = new GeminiFile
        {
            Id = id,
            DisplayName = displayName,
            MimeType = mimeType,
            Stored = stored,
            Source = source,
            Sha256Base64 = sha,
            Seq = Interlocked.Increment(ref _seq),
        };
        _files[id] = file;
        return file;
    }

    private string NewId()
    {
        while (true)
        {
            string id = GeminiIds.New(12);
            if (!Exists(id)) return id;
        }
    }

    /// <summary>Accepts <c>abc</c> or <c>files/abc</c>.</summary>
    public bool TryGet(string idOrName, out GeminiFile file)
    {
        string id = idOrName.StartsWith("files/", StringComparison.Ordinal) ? idOrName[6..] : idOrName;
        if (_files.TryGetValue(id, out file!) && state.Files.TryGet(file.Stored.Id, out _)) return true;
        file = null!;
        return false;
    }

    public bool Delete(string id)
    {
        if (!_files.TryRemove(id, out var file)) return false;
        state.Files.Delete(file.Stored.Id);
        return true;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<GeminiFile> NewestFirst() =>
        _files.Values.Where(f => state.Files.TryGet(f.Stored.Id, out _)).OrderByDescending(f => f.Seq).ToList();

    public void Clear()
    {
        foreach (string id in _files.Keys.ToList()) Delete(id);
        foreach (string id in _sessions.Keys.ToList())
            if (_sessions.TryRemove(id, out var s) && s.Final is null) FileStore.TryDeleteFile(s.TempPath);
    }
}
