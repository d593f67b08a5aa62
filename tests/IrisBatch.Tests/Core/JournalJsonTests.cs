using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using IrisBatch.Journal;
using Xunit;

namespace IrisBatch.Tests.Core
{
    /// <summary>
    /// entry.json is written and read by hand (JournalJson): it must be the JSON the serializer writes (WriteIndented,
    /// enums as names) and read as the serializer reads it, for every property. The entries here set every property
    /// by reflection, so a property added to JournalEntry, StateChange or TokenUsage without JournalJson fails here.
    /// </summary>
    public class JournalJsonTests
    {
        private static readonly JsonSerializerOptions Serializer = new JsonSerializerOptions
        {
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        };

        private const string Awkward = " \u00e9<&>\"'\\/\n\u2028\ud83d\ude00";

        /// <summary>Every settable property of <paramref name="target"/> given a value unlike its default (and unlike the others').</summary>
        private static T Filled<T>(T target, int seed) where T : class
        {
            int k = seed;
            foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                k++;
                var t = p.PropertyType;
                object value =
                    t == typeof(string) ? p.Name + k + Awkward :
                    t == typeof(long) || t == typeof(long?) ? (object)(1_000_000_000_000L + k) :
                    t == typeof(int) || t == typeof(int?) ? (object)(24 + k) :
                    t == typeof(bool) ? (object)true :
                    t == typeof(decimal) || t == typeof(decimal?) ? (object)(4.221432375m + k) :
                    t == typeof(DateTimeOffset) || t == typeof(DateTimeOffset?) ? (object)new DateTimeOffset(2026, 12, 6, 15, 31, 54, TimeSpan.FromHours(k % 5)).AddTicks(5087620 + k) :
                    t == typeof(SubmissionState) ? SubmissionState.Created :
                    t == typeof(BatchStatus?) ? (object)BatchStatus.Expired :
                    t == typeof(Dictionary<string, string>) ? new Dictionary<string, string> { ["team"] = "ops" + Awkward, ["run"] = "" } :
                    t == typeof(List<StateChange>) ? new List<StateChange> { Filled(new StateChange(), 100), Filled(new StateChange(), 200) } :
                    t == typeof(TokenUsage) ? Filled(new TokenUsage(), 300) :
                    t == typeof(List<string>) ? new List<string> { p.Name + k + Awkward, "claude-opus-4-1" } :
                    t == typeof(List<BatchValidationError>) ? new List<BatchValidationError> { Filled(new BatchValidationError(), 400), new BatchValidationError() } :
                    throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is of type {t}: give it a value here and add it to JournalJson");
                p.SetValue(target, value);
            }
            return target;
        }

        public static IEnumerable<object[]> Entries()
        {
            yield return new object[] { Filled(new JournalEntry(), 0) };
            yield return new object[] { new JournalEntry() };
            var nulls = Filled(new JournalEntry(), 7);
            nulls.SetId = nulls.Name = nulls.Fingerprint = nulls.InputFileId = nulls.BatchId = nulls.LastProviderStatus = null;
            nulls.Metadata = null!;
            nulls.History = new List<StateChange> { new StateChange { Detail = null } };
            nulls.CompletionWindowHours = null;
            nulls.LastStatus = null;
            nulls.LastCheckedAt = nulls.RemoteRemovedAt = null;
            nulls.Cost = null;
            nulls.ResultUsage = null;
            nulls.ResponseModel = null;
            nulls.Succeeded = nulls.Failed = null;
            nulls.BatchErrors = null;
            yield return new object[] { nulls };
            var empty = new JournalEntry { History = null!, Cost = 0m, Succeeded = 0 };
            yield return new object[] { empty };
        }

        [Theory]
        [MemberData(nameof(Entries))]
        public void An_entry_is_written_as_the_serializer_writes_it_and_read_back_whole(JournalEntry entry)
        {
            var expected = JsonSerializer.Serialize(entry, Serializer);
            var written = JournalJson.Write(entry);
            Assert.Equal(expected, written);

            var read = JournalJson.Read(written);
            Assert.Equal(expected, JsonSerializer.Serialize(read, Serializer));
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<JournalEntry>(written, Serializer), Serializer),
                JsonSerializer.Serialize(read, Serializer));
        }

        [Theory]
        [InlineData("{}")]
        [InlineData("{\"SubmissionId\":\"s1\",\"Unknown\":[1,{\"a\":null}],\"submissionid\":\"ignored\",\"State\":\"uploaded\",\"LastStatus\":5}")]
        [InlineData("{\"State\":1,\"History\":[{\"At\":\"2025-01-01T00:00:00Z\",\"State\":\"created\",\"More\":true}],\"Metadata\":{}}")]
        [InlineData("{\"Cost\":1e-3,\"Succeeded\":12,\"ResultUsage\":{\"InputTokens\":3}}")]
        public void Entries_older_or_newer_than_this_version_read_as_the_serializer_reads_them(string json)
        {
            var expected = JsonSerializer.Serialize(JsonSerializer.Deserialize<JournalEntry>(json, Serializer), Serializer);
            Assert.Equal(expected, JsonSerializer.Serialize(JournalJson.Read(json), Serializer));
        }

        [Theory]
        [InlineData("{\"RequestCount\":\"12\"}", "RequestCount")]
        [InlineData("{\"RequestCount\":null}", "RequestCount")]
        [InlineData("{\"RequestCount\":1.5}", "RequestCount")]
        [InlineData("{\"Structured\":1}", "Structured")]
        [InlineData("{\"State\":\"Finished\"}", "State")]
        [InlineData("{\"SpooledAt\":\"yesterday\"}", "SpooledAt")]
        [InlineData("{\"History\":{}}", "History")]
        [InlineData("{\"Metadata\":{\"a\":1}}", "Metadata")]
        [InlineData("{\"ResultUsage\":[]}", "ResultUsage")]
        [InlineData("{\"SubmissionId\":7}", "SubmissionId")]
        [InlineData("{\"Models\":\"claude-opus-4-1\"}", "Models")]
        [InlineData("{\"Models\":[\"a\",1]}", "Models")]
        [InlineData("{\"BatchErrors\":{}}", "BatchErrors")]
        [InlineData("{\"BatchErrors\":[{\"Line\":\"3\"}]}", "BatchErrors")]
        public void A_value_of_the_wrong_kind_is_an_error_naming_its_property(string json, string property)
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<JournalEntry>(json, Serializer));
            var ex = Assert.Throws<JsonException>(() => JournalJson.Read(json));
            Assert.Contains("'" + property + "'", ex.Message);
        }

        [Theory]
        [InlineData("[]")]
        [InlineData("{\"SubmissionId\":")]
        [InlineData("")]
        public void Text_that_is_not_an_entry_is_an_error(string json)
        {
            Assert.ThrowsAny<JsonException>(() => JournalJson.Read(json));
        }
    }
}
