using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace IrisBatch.Journal
{
    /// <summary>
    /// A journal entry's JSON (entry.json), written and read by hand: the same JSON the serializer writes with
    /// WriteIndented and enums as their names, read as the serializer reads it (exact property names, unknown ones
    /// skipped, missing ones left at their defaults, a value of the wrong kind an error). The serializer's metadata for
    /// this class (its generated property accessors and enum converters, compiled on first use) took about 100 ms of
    /// every fresh session's first command; this is two methods. JournalJsonTests checks both directions against the
    /// serializer for every property, so a property added to <see cref="JournalEntry"/> must be added here too.
    /// </summary>
    internal static class JournalJson
    {
        private static readonly JsonWriterOptions Indented = new JsonWriterOptions { Indented = true };

        public static string Write(JournalEntry e)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, Indented))
            {
                w.WriteStartObject();
                w.WriteString("SubmissionId", e.SubmissionId);
                w.WriteString("SetId", e.SetId);
                w.WriteString("Provider", e.Provider);
                w.WriteString("BaseUri", e.BaseUri);
                w.WriteString("Model", e.Model);
                w.WriteString("Name", e.Name);
                w.WritePropertyName("Metadata");
                if (e.Metadata == null) w.WriteNullValue();
                else
                {
                    w.WriteStartObject();
                    foreach (var kv in e.Metadata) w.WriteString(kv.Key, kv.Value);
                    w.WriteEndObject();
                }
                w.WriteString("IdempotencyKey", e.IdempotencyKey);
                Number(w, "CompletionWindowHours", e.CompletionWindowHours);
                w.WriteString("Fingerprint", e.Fingerprint);
                w.WriteString("State", e.State.ToString());
                w.WriteString("InputFileId", e.InputFileId);
                w.WriteString("BatchId", e.BatchId);
                w.WriteNumber("RequestCount", e.RequestCount);
                w.WriteNumber("Bytes", e.Bytes);
                w.WriteNumber("InputTokens", e.InputTokens);
                w.WriteBoolean("Structured", e.Structured);
                w.WriteString("SpooledAt", e.SpooledAt);
                w.WritePropertyName("History");
                if (e.History == null) w.WriteNullValue();
                else
                {
                    w.WriteStartArray();
                    foreach (var h in e.History)
                    {
                        if (h == null)
                        {
                            w.WriteNullValue();
                            continue;
                        }
                        w.WriteStartObject();
                        w.WriteString("At", h.At);
                        w.WriteString("State", h.State);
                        w.WriteString("Detail", h.Detail);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                if (e.LastStatus.HasValue) w.WriteString("LastStatus", e.LastStatus.Value.ToString());
                else w.WriteNull("LastStatus");
                w.WriteString("LastProviderStatus", e.LastProviderStatus);
                Time(w, "LastCheckedAt", e.LastCheckedAt);
                w.WriteBoolean("ResultsDownloaded", e.ResultsDownloaded);
                w.WriteBoolean("ResultsCollected", e.ResultsCollected);
                if (e.Cost.HasValue) w.WriteNumber("Cost", e.Cost.Value);
                else w.WriteNull("Cost");
                w.WritePropertyName("ResultUsage");
                if (e.ResultUsage == null) w.WriteNullValue();
                else
                {
                    var u = e.ResultUsage;
                    w.WriteStartObject();
                    w.WriteNumber("InputTokens", u.InputTokens);
                    w.WriteNumber("OutputTokens", u.OutputTokens);
                    w.WriteNumber("TotalTokens", u.TotalTokens);
                    w.WriteNumber("CachedTokens", u.CachedTokens);
                    w.WriteNumber("ReasoningTokens", u.ReasoningTokens);
                    w.WriteNumber("CacheWriteTokens", u.CacheWriteTokens);
                    w.WriteNumber("CacheWrite1hTokens", u.CacheWrite1hTokens);
                    w.WriteEndObject();
                }
                w.WriteString("ResponseModel", e.ResponseModel);
                Number(w, "Succeeded", e.Succeeded);
                Number(w, "Failed", e.Failed);
                Time(w, "RemoteRemovedAt", e.RemoteRemovedAt);
                Errors(w, e.BatchErrors);
                w.WriteBoolean("Embeddings", e.Embeddings);
                Strings(w, "Models", e.Models);
                Strings(w, "ListedBeforeCreate", e.ListedBeforeCreate);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        /// <summary>An entry from its JSON; JsonException for JSON that is not one (the caller names the file).</summary>
        public static JournalEntry Read(string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException(Messages.JournalValueInvalid("$", "object"));
            var e = new JournalEntry();
            foreach (var p in root.EnumerateObject())
            {
                try
                {
                    Set(e, p.Name, p.Value);
                }
                catch (WrongKind kind)
                {
                    throw new JsonException(Messages.JournalValueInvalid(p.Name, kind.Kind));
                }
            }
            return e;
        }

        /// <summary>A value of the wrong kind, named by the property it is in (see <see cref="Read"/>).</summary>
        private sealed class WrongKind : Exception
        {
            public WrongKind(string kind) { Kind = kind; }
            public string Kind { get; }
        }

        private static void Set(JournalEntry e, string name, JsonElement v)
        {
            switch (name)
            {
                case "SubmissionId": e.SubmissionId = Str(v)!; break;
                case "SetId": e.SetId = Str(v); break;
                case "Provider": e.Provider = Str(v)!; break;
                case "BaseUri": e.BaseUri = Str(v)!; break;
                case "Model": e.Model = Str(v)!; break;
                case "Name": e.Name = Str(v); break;
                case "Metadata": e.Metadata = Map(v)!; break;
                case "IdempotencyKey": e.IdempotencyKey = Str(v)!; break;
                case "CompletionWindowHours": e.CompletionWindowHours = v.ValueKind == JsonValueKind.Null ? (int?)null : Int(v); break;
                case "Fingerprint": e.Fingerprint = Str(v); break;
                case "State": e.State = Enum<SubmissionState>(v); break;
                case "InputFileId": e.InputFileId = Str(v); break;
                case "BatchId": e.BatchId = Str(v); break;
                case "RequestCount": e.RequestCount = Long(v); break;
                case "Bytes": e.Bytes = Long(v); break;
                case "InputTokens": e.InputTokens = Long(v); break;
                case "Structured": e.Structured = Bool(v); break;
                case "SpooledAt": e.SpooledAt = Time(v); break;
                case "History": e.History = History(v)!; break;
                case "LastStatus": e.LastStatus = v.ValueKind == JsonValueKind.Null ? (BatchStatus?)null : Enum<BatchStatus>(v); break;
                case "LastProviderStatus": e.LastProviderStatus = Str(v); break;
                case "LastCheckedAt": e.LastCheckedAt = v.ValueKind == JsonValueKind.Null ? (DateTimeOffset?)null : Time(v); break;
                case "ResultsDownloaded": e.ResultsDownloaded = Bool(v); break;
                case "ResultsCollected": e.ResultsCollected = Bool(v); break;
                case "Cost": e.Cost = v.ValueKind == JsonValueKind.Null ? (decimal?)null : Decimal(v); break;
                case "ResultUsage": e.ResultUsage = Usage(v); break;
                case "ResponseModel": e.ResponseModel = Str(v); break;
                case "Succeeded": e.Succeeded = v.ValueKind == JsonValueKind.Null ? (long?)null : Long(v); break;
                case "Failed": e.Failed = v.ValueKind == JsonValueKind.Null ? (long?)null : Long(v); break;
                case "RemoteRemovedAt": e.RemoteRemovedAt = v.ValueKind == JsonValueKind.Null ? (DateTimeOffset?)null : Time(v); break;
                case "BatchErrors": e.BatchErrors = Errors(v); break;
                case "Embeddings": e.Embeddings = Bool(v); break;
                case "Models": e.Models = Strings(v); break;
                case "ListedBeforeCreate": e.ListedBeforeCreate = Strings(v); break;
            }
        }

        private static void Strings(Utf8JsonWriter w, string name, List<string>? values)
        {
            w.WritePropertyName(name);
            if (values == null)
            {
                w.WriteNullValue();
                return;
            }
            w.WriteStartArray();
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }

        private static void Errors(Utf8JsonWriter w, List<BatchValidationError>? errors)
        {
            w.WritePropertyName("BatchErrors");
            if (errors == null)
            {
                w.WriteNullValue();
                return;
            }
            w.WriteStartArray();
            foreach (var e in errors)
            {
                if (e == null)
                {
                    w.WriteNullValue();
                    continue;
                }
                w.WriteStartObject();
                w.WriteString("Code", e.Code);
                w.WriteString("Message", e.Message);
                w.WriteString("Param", e.Param);
                Number(w, "Line", e.Line);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        private static List<BatchValidationError>? Errors(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array) throw new WrongKind("list");
            var list = new List<BatchValidationError>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Null)
                {
                    list.Add(null!);
                    continue;
                }
                if (item.ValueKind != JsonValueKind.Object) throw new WrongKind("list of objects");
                var error = new BatchValidationError();
                foreach (var p in item.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "Code": error.Code = Str(p.Value); break;
                        case "Message": error.Message = Str(p.Value); break;
                        case "Param": error.Param = Str(p.Value); break;
                        case "Line": error.Line = p.Value.ValueKind == JsonValueKind.Null ? (long?)null : Long(p.Value); break;
                    }
                }
                list.Add(error);
            }
            return list;
        }

        private static void Number(Utf8JsonWriter w, string name, long? value)
        {
            if (value.HasValue) w.WriteNumber(name, value.Value);
            else w.WriteNull(name);
        }

        private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? value)
        {
            if (value.HasValue) w.WriteString(name, value.Value);
            else w.WriteNull(name);
        }

        private static string? Str(JsonElement v) =>
            v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : throw new WrongKind("string");

        private static long Long(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : throw new WrongKind("number");

        private static int Int(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : throw new WrongKind("number");

        private static decimal Decimal(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out decimal n) ? n : throw new WrongKind("number");

        private static bool Bool(JsonElement v) =>
            v.ValueKind == JsonValueKind.True || (v.ValueKind != JsonValueKind.False ? throw new WrongKind("true or false") : false);

        private static DateTimeOffset Time(JsonElement v) =>
            v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : throw new WrongKind("date");

        /// <summary>An enum by its name (any case, as the serializer's string enum converter reads it) or its number.</summary>
        private static T Enum<T>(JsonElement v) where T : struct
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)) return (T)(object)n;
            if (v.ValueKind == JsonValueKind.String)
            {
                var text = v.GetString()!;
                if (text.Length > 0 && !char.IsDigit(text[0]) && text[0] != '-' && System.Enum.TryParse<T>(text, true, out var value)) return value;
            }
            throw new WrongKind(string.Join(", ", System.Enum.GetNames(typeof(T))));
        }

        private static Dictionary<string, string>? Map(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Object) throw new WrongKind("object");
            var map = new Dictionary<string, string>();
            foreach (var p in v.EnumerateObject()) map[p.Name] = Str(p.Value)!;
            return map;
        }

        private static List<string>? Strings(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array) throw new WrongKind("list");
            var list = new List<string>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) throw new WrongKind("list of strings");
                list.Add(item.GetString()!);
            }
            return list;
        }

        private static List<StateChange>? History(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array) throw new WrongKind("list");
            var list = new List<StateChange>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Null)
                {
                    list.Add(null!);
                    continue;
                }
                if (item.ValueKind != JsonValueKind.Object) throw new WrongKind("list of objects");
                var change = new StateChange();
                foreach (var p in item.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "At": change.At = Time(p.Value); break;
                        case "State": change.State = Str(p.Value)!; break;
                        case "Detail": change.Detail = Str(p.Value); break;
                    }
                }
                list.Add(change);
            }
            return list;
        }

        private static TokenUsage? Usage(JsonElement v)
        {
            if (v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Object) throw new WrongKind("object");
            var u = new TokenUsage();
            foreach (var p in v.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "InputTokens": u.InputTokens = Long(p.Value); break;
                    case "OutputTokens": u.OutputTokens = Long(p.Value); break;
                    case "TotalTokens": u.TotalTokens = Long(p.Value); break;
                    case "CachedTokens": u.CachedTokens = Long(p.Value); break;
                    case "ReasoningTokens": u.ReasoningTokens = Long(p.Value); break;
                    case "CacheWriteTokens": u.CacheWriteTokens = Long(p.Value); break;
                    case "CacheWrite1hTokens": u.CacheWrite1hTokens = Long(p.Value); break;
                }
            }
            return u;
        }
    }
}
