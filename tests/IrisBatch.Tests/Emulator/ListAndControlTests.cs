using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using IrisBatch.Emulator;
using Xunit;

namespace IrisBatch.Tests.Emulator;

public sealed class ListAndControlTests
{
    [Fact]
    public async Task List_is_newest_first_and_pages_with_after_and_has_more()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000 });
        using var api = new EmulatorApi(host);
        string fileId = await api.UploadAsync(Lines.Jsonl(Lines.Many(1)));
        var created = new List<string>();
        for (int i = 0; i < 5; i++) created.Add((await api.CreateBatchAsync(fileId)).GetProperty("id").GetString()!);
        created.Reverse();

        var all = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/batches"));
        Assert.Equal("list", all.GetProperty("object").GetString());
        Assert.Equal(created, Ids(all));
        Assert.False(all.GetProperty("has_more").GetBoolean());
        Assert.Equal(created[0], all.GetProperty("first_id").GetString());
        Assert.Equal(created[4], all.GetProperty("last_id").GetString());

        var seen = new List<string>();
        string? after = null;
        int pages = 0;
        while (true)
        {
            var page = await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/batches?limit=2" + (after is null ? "" : "&after=" + after)));
            pages++;
            seen.AddRange(Ids(page));
            if (!page.GetProperty("has_more").GetBoolean()) break;
            after = page.GetProperty("last_id").GetString();
        }
        Assert.Equal(created, seen);
        Assert.Equal(3, pages);

        var last = await EmulatorApi.JsonAsync(await api.Http.GetAsync($"/v1/batches?after={created[4]}"));
        Assert.Empty(Ids(last));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("first_id").ValueKind);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("abc")]
    public async Task List_limit_outside_1_to_100_is_400(string limit)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions());
        using var api = new EmulatorApi(host);
        using var r = await api.Http.GetAsync($"/v1/batches?limit={limit}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("limit", EmulatorApi.AssertEnvelope(await EmulatorApi.JsonAsync(r)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task Stats_count_actions_and_every_call_per_route_and_reset_clears_everything()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 0, InProgressMs = 0, FinalizingMs = 0, CancellingMs = 0 });
        using var api = new EmulatorApi(host);
        string id = await api.StartBatchAsync(Lines.Many(2));
        var done = await api.WaitForStatusAsync(id, "completed");
        await api.DownloadLinesAsync(done.GetProperty("output_file_id").GetString()!);
        using (await api.Http.GetAsync("/v1/batches/batch_unknown")) { }
        using (await api.PostJsonAsync($"/v1/batches/{id}/cancel", "")) { }           // refused: completed
        using (var bad = new EmulatorApi(host, "wrong")) using (await bad.Http.GetAsync("/v1/batches")) { }

        var stats = await api.ControlAsync("/_emulator/stats");
        Assert.Equal(1, stats.GetProperty("uploads").GetInt32());
        Assert.Equal(1, stats.GetProperty("batches_created").GetInt32());
        Assert.Equal(1, stats.GetProperty("downloads").GetInt32());
        Assert.Equal(0, stats.GetProperty("cancels").GetInt32());
        Assert.Equal(0, stats.GetProperty("files_deleted").GetInt32());
        var routes = stats.GetProperty("routes");
        Assert.Equal(1, routes.GetProperty("POST /v1/files").GetInt32());
        Assert.Equal(1, routes.GetProperty("POST /v1/batches").GetInt32());
        Assert.Equal(1, routes.GetProperty("GET /v1/batches").GetInt32());
        Assert.Equal(1, routes.GetProperty("POST /v1/batches/{batch_id}/cancel").GetInt32());
        Assert.Equal(1, routes.GetProperty("GET /v1/files/{file_id}/content").GetInt32());
        Assert.True(routes.GetProperty("GET /v1/batches/{batch_id}").GetInt32() >= 2);
        Assert.Equal(host.State.Stats.RouteCalls("GET /v1/batches/{batch_id}"), routes.GetProperty("GET /v1/batches/{batch_id}").GetInt32());

        await api.ControlAsync("/_emulator/reset");
        var cleared = await api.ControlAsync("/_emulator/stats");
        Assert.Equal(0, cleared.GetProperty("uploads").GetInt32());
        Assert.Empty(cleared.GetProperty("routes").EnumerateObject());
        using var gone = await api.Http.GetAsync($"/v1/batches/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(Ids(await EmulatorApi.JsonAsync(await api.Http.GetAsync("/v1/files"))));
    }

    [Fact]
    public async Task Config_changes_timing_for_batches_created_afterwards_only()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ValidatingMs = 60_000, InProgressMs = 0, FinalizingMs = 0 });
        using var api = new EmulatorApi(host);
        string slow = await api.StartBatchAsync(Lines.Many(1));
        var config = await api.ControlAsync("/_emulator/config", """{"validating_ms":0}""");
        Assert.Equal(0, config.GetProperty("validating_ms").GetInt32());
        Assert.Equal(0, host.State.Timing.InProgressMs);
        string fast = await api.StartBatchAsync(Lines.Many(1));

        await api.WaitForStatusAsync(fast, "completed");
        Assert.Equal("validating", EmulatorApi.Status(await api.GetBatchAsync(slow)));

        using var bad = await api.PostJsonAsync("/_emulator/config", """{"validating_ms":-1}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var unknown = await api.PostJsonAsync("/_emulator/config", """{"speed":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        await api.ControlAsync("/_emulator/reset");
        Assert.Equal(60_000, host.State.Timing.ValidatingMs);
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetString()!).ToList();
}
