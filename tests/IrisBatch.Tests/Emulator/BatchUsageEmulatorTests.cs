using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;
using static IrisBatch.Tests.Emulator.FeatureBatch;

namespace IrisBatch.Tests.Emulator;

/// <summary>
/// Issue 18: the OpenAI batch object's usage (spec §1.5) has the shape of the spec's example and is the sum of the
/// succeeded lines' own usage (§11.6), cached and reasoning tokens included; "[cached-drift]" makes the two disagree.
/// </summary>
public sealed class BatchUsageEmulatorTests
{
    private static (long Input, long Cached, long Output, long Reasoning, long Total) ChatUsage(JsonElement line)
    {
        var u = Body(line).GetProperty("usage");
        return (u.GetProperty("prompt_tokens").GetInt64(), u.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64(),
            u.GetProperty("completion_tokens").GetInt64(), u.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64(),
            u.GetProperty("total_tokens").GetInt64());
    }

    private static (long Input, long Cached, long Output, long Reasoning, long Total) BatchUsage(JsonElement batch)
    {
        var u = batch.GetProperty("usage");
        // Exactly the spec's fields, in its order.
        Assert.Equal(new[] { "input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details", "total_tokens" },
            u.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "cached_tokens" }, u.GetProperty("input_tokens_details").EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "reasoning_tokens" }, u.GetProperty("output_tokens_details").EnumerateObject().Select(p => p.Name));
        return (u.GetProperty("input_tokens").GetInt64(), u.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64(),
            u.GetProperty("output_tokens").GetInt64(), u.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64(),
            u.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task The_batch_usage_sums_the_succeeded_lines_cached_and_reasoning_tokens()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("plain", ChatBody("gpt-5-mini", "one two three four")),
            Line("cached", ChatBody("gpt-5-mini", "a long shared prompt of ten words [cached] here", b => b["reasoning_effort"] = "low")),
            Line("failed", ChatBody("gpt-5-mini", "this one fails [fail] with cache [cached]")));
        Assert.Equal((3, 2, 1), EmulatorApi.Counts(batch));

        var cached = ChatUsage(lines["cached"]);
        Assert.Equal(cached.Input / 2, cached.Cached);   // half the prompt, rounded down
        Assert.True(cached.Cached > 0 && cached.Reasoning > 0);
        Assert.Equal(0, ChatUsage(lines["plain"]).Cached);

        var ok = new[] { "plain", "cached" }.Select(k => ChatUsage(lines[k])).ToList();
        Assert.Equal((ok.Sum(u => u.Input), ok.Sum(u => u.Cached), ok.Sum(u => u.Output), ok.Sum(u => u.Reasoning), ok.Sum(u => u.Total)),
            BatchUsage(batch));
    }

    [Fact]
    public async Task Cached_drift_makes_the_batch_count_the_whole_prompt_as_cached_for_that_line()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, EmulatorApi.Chat,
            Line("plain", ChatBody("gpt-4o-mini", "one two three")),
            Line("drift", ChatBody("gpt-4o-mini", "five words [cached-drift] in here")));
        var drift = ChatUsage(lines["drift"]);
        Assert.Equal(drift.Input / 2, drift.Cached);
        var plain = ChatUsage(lines["plain"]);
        var sum = BatchUsage(batch);
        Assert.Equal(plain.Input + drift.Input, sum.Input);                  // input counts agree
        Assert.Equal(drift.Input, sum.Cached);                               // cached: the whole prompt, not its half
        Assert.Equal(plain.Output + drift.Output, sum.Output);
    }

    [Fact]
    public async Task A_responses_batch_reports_cached_tokens_in_its_lines_and_its_usage()
    {
        await using var host = await EmulatorHost.StartAsync(Instant);
        using var api = new EmulatorApi(host);
        var (batch, lines) = await RunAsync(api, "/v1/responses",
            Line("r", ResponsesBody("gpt-4o-mini", "six words here [cached] for you"), "/v1/responses"));
        var u = Body(lines["r"]).GetProperty("usage");
        long input = u.GetProperty("input_tokens").GetInt64();
        long cached = u.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64();
        Assert.Equal(input / 2, cached);
        Assert.True(cached > 0);
        Assert.Equal((input, cached), (BatchUsage(batch).Input, BatchUsage(batch).Cached));
    }
}
