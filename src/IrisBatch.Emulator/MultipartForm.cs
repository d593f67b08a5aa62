using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using IrisBatch.Emulator.OpenAI;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace IrisBatch.Emulator;

/// <summary>
/// A multipart/form-data upload read the way the Files APIs of Mistral and Together take it: text fields in memory, the
/// one <c>file</c> part streamed to a temp file in the store (deleted on dispose unless <see cref="TakeFile"/> claimed it).
/// </summary>
internal sealed class MultipartForm : IDisposable
{
    private string? _tempPath;

    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);
    public string? FileName { get; private set; }
    public long Bytes { get; private set; }
    public bool HasFile => _tempPath is not null;
    /// <summary>Why the body could not be read (then nothing else is set), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Hands the temp file over (to <see cref="FileStore.Register"/>); it is no longer deleted on dispose.</summary>
    public string TakeFile()
    {
        string path = _tempPath ?? throw new InvalidOperationException("No file part.");
        _tempPath = null;
        return path;
    }

    public static async Task<MultipartForm> ReadAsync(HttpContext ctx, FileStore files)
    {
        var form = new MultipartForm();
        string? contentType = ctx.Request.ContentType;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            form.Problem = $"Invalid Content-Type header ({contentType}), expected multipart/form-data.";
            return form;
        }
        try
        {
            var reader = new MultipartReader(boundary, ctx.Request.Body);
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ctx.RequestAborted)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd)
                    || !cd.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    form.Problem = "Malformed multipart section: missing form-data Content-Disposition.";
                    return form;
                }
                string name = HeaderUtilities.RemoveQuotes(cd.Name).Value ?? "";
                if (name == "file" && cd.IsFileDisposition())
                {
                    if (form._tempPath is not null)
                    {
                        form.Problem = "Only one 'file' part is allowed.";
                        return form;
                    }
                    form.FileName = HeaderUtilities.RemoveQuotes(cd.FileNameStar.HasValue ? cd.FileNameStar : cd.FileName).Value ?? "";
                    form._tempPath = files.NewTempPath();
                    form.Bytes = await FilesRoutes.SaveAsync(section.Body, form._tempPath, ctx.RequestAborted);
                    if (form.Bytes < 0)
                    {
                        form.Problem = $"File is too large: the maximum size is {FilesRoutes.MaxFileBytes / (1000 * 1000)} MB.";
                        return form;
                    }
                }
                else form.Fields[name] = await FilesRoutes.ReadFieldAsync(section.Body, ctx.RequestAborted);
            }
        }
        catch (InvalidDataException e)
        {
            form.Problem = "Malformed multipart body: " + e.Message;
        }
        return form;
    }

    public void Dispose()
    {
        if (_tempPath is not null) FileStore.TryDeleteFile(_tempPath);
        _tempPath = null;
    }
}
