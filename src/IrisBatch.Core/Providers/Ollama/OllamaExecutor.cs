using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using IrisBatch.Http;
using IrisBatch.Jsonl;

namespace IrisBatch.Providers.Ollama
{
    /// <summary>
    /// Runs one batch's unfinished requests against one or more chat servers, each with its own concurrency
    /// limit, and appends each answer to the batch's executed file the moment it arrives. A request whose server
    /// fails is tried again, on another server where there is one. Only one process runs a batch at a time
    /// (a lock file); a process killed midway leaves whole lines only, and the next run skips what they hold.
    /// Stopping (the lifetime ends) takes no new request and gives the ones in flight <see cref="DrainGrace"/> to
    /// answer, so an answer a server already produced is journaled rather than executed again by the next run;
    /// what is still unanswered then is abandoned (the server sees the client go and drops it).
    /// </summary>
    internal sealed class OllamaExecutor
    {
        private const int MaxAttempts = 6;

        /// <summary>
        /// How long requests in flight may still answer once the run is told to stop: short enough that Ctrl+C still
        /// ends a wait within a second; a request still running then is abandoned, and a server that sees its client
        /// go drops it (Ollama stops generating), so it runs once, in the next wait.
        /// </summary>
        public static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(800);

        private readonly string _inputPath;
        private readonly string _executedPath;
        private readonly string _cancelPath;
        private readonly string _lockPath;
        private readonly Uri[] _servers;
        private readonly bool _openAICompatible;
        private readonly Dictionary<string, ApiClient> _clients = new Dictionary<string, ApiClient>(StringComparer.Ordinal);
        private readonly HttpSettings _settings;
        private readonly int _throttle;
        private readonly Action<string>? _log;
        private readonly Action<string>? _warn;
        private readonly object _writeLock = new object();
        private readonly Dictionary<string, ServerGate> _gates = new Dictionary<string, ServerGate>(StringComparer.Ordinal);

        /// <summary>
        /// How many calls a server takes at once, learnt from its answers. It starts at -ThrottleLimit; a server that
        /// refuses a call as busy (503 or 429: Ollama's OLLAMA_NUM_PARALLEL and queue are full) is given at most the calls
        /// it was already answering, and the limit grows back by one after ten times that many answers. Without it, workers beyond
        /// the server's capacity keep being refused, and an unlucky request can use up its attempts on a healthy server.
        /// </summary>
        private sealed class ServerGate
        {
            public int Active;
            public int Limit;
            public int AnsweredSinceChange;
            /// <summary>Calls in a row that got no answer at all (refused, reset, timed out).</summary>
            public int Unreachable;
            /// <summary>Until when (UTC ticks) a server that gave no answer takes no request while another server is up.</summary>
            public long RestUntilTicks;
            /// <summary>Its last call could not connect at all (refused, no such host, no route): nothing reached it.</summary>
            public volatile bool NotReached;
        }

        /// <summary>The longest wait between tries while no server of the batch can be reached.</summary>
        public static readonly TimeSpan MaxDownWait = TimeSpan.FromSeconds(4);
        private readonly object _downLock = new object();
        /// <summary>Until when (UTC ticks) no request is sent: every server's last call could not connect.</summary>
        private long _downUntilTicks;
        private int _downRounds;
        private bool _warnedDown;

        /// <summary>
        /// True when the call could not connect, so nothing reached the server: connection refused, no such host, no route.
        /// A reset or a timeout after connecting is not this: the server may have got the request.
        /// </summary>
        internal static bool NotReached(Exception ex)
        {
            if (ex is ApiException) return false;
            for (var e = (Exception?)ex; e != null; e = e.InnerException)
                if (e is System.Net.Sockets.SocketException se)
                    switch (se.SocketErrorCode)
                    {
                        case System.Net.Sockets.SocketError.ConnectionRefused:
                        case System.Net.Sockets.SocketError.HostNotFound:
                        case System.Net.Sockets.SocketError.HostUnreachable:
                        case System.Net.Sockets.SocketError.HostDown:
                        case System.Net.Sockets.SocketError.NetworkUnreachable:
                        case System.Net.Sockets.SocketError.NetworkDown:
                        case System.Net.Sockets.SocketError.TryAgain:
                        case System.Net.Sockets.SocketError.NoData:
                        case System.Net.Sockets.SocketError.AddressNotAvailable:
                            return true;
                    }
            return false;
        }

        /// <summary>
        /// Every server's last call could not connect: the requests are not failed (none reached a server), the run waits,
        /// from 250 ms doubling to <see cref="MaxDownWait"/> between tries, and warns once that it keeps waiting.
        /// </summary>
        private bool AllServersDown(string error)
        {
            foreach (var g in _gates.Values)
                if (!g.NotReached) return false;
            lock (_downLock)
            {
                var now = DateTime.UtcNow.Ticks;
                if (Interlocked.Read(ref _downUntilTicks) > now) return true;   // this round's wait is already set
                _downRounds++;
                var wait = TimeSpan.FromMilliseconds(Math.Min(MaxDownWait.TotalMilliseconds, 250.0 * (1 << Math.Min(_downRounds - 1, 10))));
                Interlocked.Exchange(ref _downUntilTicks, now + wait.Ticks);
                if (!_warnedDown)
                {
                    _warnedDown = true;
                    _warn?.Invoke(Messages.OllamaUnreachable(string.Join(", ", _servers.Select(x => x.AbsoluteUri)), error));
                }
            }
            return true;
        }

        /// <summary>A server answered (anything, an error included): the next time none can be reached warns again.</summary>
        private void ServerReached(ServerGate gate)
        {
            gate.NotReached = false;
            if (!_warnedDown && _downRounds == 0) return;
            lock (_downLock)
            {
                _downRounds = 0;
                _warnedDown = false;
                Interlocked.Exchange(ref _downUntilTicks, 0);
            }
        }

        /// <summary>The longest rest of a server that keeps giving no answer (it doubles from 100 ms with each such call).</summary>
        private static readonly TimeSpan MaxRest = TimeSpan.FromSeconds(2);

        private static bool IsUp(ServerGate gate) => Interlocked.Read(ref gate.RestUntilTicks) <= DateTime.UtcNow.Ticks;

        /// <summary>
        /// True when a server other than <paramref name="me"/> is up (not resting). A request that failed on a server goes to
        /// another one that is up; a server that gave no answer rests, so a dead server does not use up requests' attempts
        /// that a live one would answer. With no other server up, every server tries, as with one server.
        /// </summary>
        private bool AnotherServerUp(string me)
        {
            foreach (var g in _gates)
                if (g.Key != me && IsUp(g.Value)) return true;
            return false;
        }

        private static bool TryTakeSlot(ServerGate gate)
        {
            lock (gate)
            {
                if (gate.Active >= gate.Limit) return false;
                gate.Active++;
                return true;
            }
        }

        private void ReleaseSlot(ServerGate gate, bool refusedBusy, bool answered, bool unreachable)
        {
            lock (gate)
            {
                if (unreachable)
                {
                    gate.Unreachable++;
                    var rest = TimeSpan.FromMilliseconds(Math.Min(MaxRest.TotalMilliseconds, 100.0 * (1 << Math.Min(gate.Unreachable - 1, 10))));
                    Interlocked.Exchange(ref gate.RestUntilTicks, (DateTime.UtcNow + rest).Ticks);
                }
                else gate.Unreachable = 0;
                if (refusedBusy)
                {
                    gate.Limit = Math.Max(1, Math.Min(gate.Limit, gate.Active - 1));
                    gate.AnsweredSinceChange = 0;
                }
                else if (answered && gate.Limit < _throttle && ++gate.AnsweredSinceChange >= 10 * gate.Limit)
                {
                    gate.Limit++;
                    gate.AnsweredSinceChange = 0;
                }
                gate.Active--;
            }
        }

        /// <param name="settings">The HTTP pipeline's settings: per-attempt timeout, retry delays and Retry-After budget.</param>
        /// <param name="apiKey">Sent as a bearer token when not empty (an OpenAI-compatible server started with an API key).</param>
        public OllamaExecutor(string submissionDir, Uri[] servers, bool openAICompatible, HttpSettings settings, int throttle, string apiKey = "")
        {
            _inputPath = Path.Combine(submissionDir, "input.jsonl");
            _executedPath = ExecutedPath(submissionDir);
            _cancelPath = CancelPath(submissionDir);
            _lockPath = Path.Combine(submissionDir, "executor.lock");
            _servers = servers;
            _openAICompatible = openAICompatible;
            _throttle = Math.Max(1, throttle);
            _log = settings.Log;
            _warn = settings.Warn;
            // The chat calls go through the one resilient HTTP pipeline (typed errors, Retry-After, timeouts), one attempt
            // each: retrying, on this server or another, is this executor's own loop. No log line per call.
            _settings = new HttpSettings
            {
                MaxRetries = settings.MaxRetries, BaseDelay = settings.BaseDelay, MaxDelay = settings.MaxDelay,
                AttemptTimeout = settings.AttemptTimeout, OverallTimeout = settings.OverallTimeout, UserAgent = settings.UserAgent,
            };
            foreach (var server in servers)
            {
                _clients[server.AbsoluteUri] = new ApiClient("Ollama", server,
                    r => { if (apiKey.Length > 0) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey); },
                    ParseError, _settings, new Redactor(apiKey.Length > 0 ? apiKey : null));
                _gates[server.AbsoluteUri] = new ServerGate { Limit = _throttle };
            }
        }

        public static string ExecutedPath(string submissionDir) => Path.Combine(submissionDir, "executed.jsonl");
        public static string CancelPath(string submissionDir) => Path.Combine(submissionDir, "cancel-requested");

        private sealed class Item
        {
            public string CustomId = "";
            public string Body = "";
            /// <summary>The route of an embedding request ("api/embed" or "embeddings"); null for chat.</summary>
            public string? Path;
            public int Attempts;
            public string? LastServer;
            public string? LastError;
            /// <summary>Not sent again before this time (the server's Retry-After, or the backoff).</summary>
            public DateTimeOffset NotBefore;
        }

        /// <summary>How often a process that found the batch running elsewhere tries to take it over.</summary>
        public static readonly TimeSpan TakeOverInterval = TimeSpan.FromMilliseconds(250);

        /// <summary>
        /// Runs until every request has a line, the batch is cancelled, or <paramref name="lifetime"/> ends. While another
        /// process holds the batch's lock (it runs the batch, or a status look holds the lock for an instant) this one
        /// tries again every <see cref="TakeOverInterval"/>, so it takes over when that process ends or is killed.
        /// </summary>
        public async Task RunAsync(CancellationToken lifetime)
        {
            bool told = false;
            while (!lifetime.IsCancellationRequested && !File.Exists(_cancelPath))
            {
                var gate = FileLock.TryTake(_lockPath);   // the file stays when the lock is let go (see FileLock)
                if (gate == null)
                {
                    if (!told) _log?.Invoke(Messages.OllamaWatching());
                    told = true;
                    await Task.Delay(TakeOverInterval, lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                using (gate) await RunLockedAsync(lifetime).ConfigureAwait(false);
                return;
            }
        }

        /// <summary>Runs the unfinished requests, holding the batch's lock.</summary>
        private async Task RunLockedAsync(CancellationToken lifetime)
        {
            RepairExecuted();
            var done = new HashSet<string>(StringComparer.Ordinal);
            if (File.Exists(_executedPath))
                foreach (var line in JsonlReader.ReadLines(_executedPath))
                {
                    var id = CustomIdOf(line.Text);
                    if (id != null) done.Add(id);
                }
            var queue = new ConcurrentQueue<Item>();
            foreach (var line in JsonlReader.ReadLines(_inputPath))
            {
                using var doc = JsonDocument.Parse(line.Text);
                var id = doc.RootElement.GetProperty("custom_id").GetString()!;
                if (done.Contains(id)) continue;
                var route = doc.RootElement.Str("path");
                queue.Enqueue(new Item
                {
                    CustomId = id,
                    Body = doc.RootElement.GetProperty("body").GetRawText(),
                    Path = route == "api/embed" || route == "embeddings" ? route : null,
                });
            }
            if (queue.IsEmpty) return;
            _log?.Invoke(Messages.OllamaRunning(queue.Count, _servers.Length, _throttle));
            int outstanding = queue.Count;
            using var writer = new FileStream(_executedPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 12);
            AtomicFile.RestrictFile(_executedPath);
            using var abort = new CancellationTokenSource();
            using var drain = lifetime.Register(() => abort.CancelAfter(DrainGrace));
            var workers = new List<Task>();
            foreach (var server in _servers)
                for (int i = 0; i < _throttle; i++)
                    workers.Add(Task.Run(() => WorkAsync(server, queue, writer, () => Interlocked.Decrement(ref outstanding), () => Volatile.Read(ref outstanding), lifetime, abort.Token)));
            await Task.WhenAll(workers).ConfigureAwait(false);
        }

        /// <param name="lifetime">When it ends, no new request is taken.</param>
        /// <param name="abort">When it ends, a request in flight is abandoned.</param>
        private async Task WorkAsync(Uri server, ConcurrentQueue<Item> queue, FileStream writer, Func<int> finished, Func<int> outstanding,
            CancellationToken lifetime, CancellationToken abort)
        {
            var me = server.AbsoluteUri;
            while (!lifetime.IsCancellationRequested && outstanding() > 0)
            {
                if (File.Exists(_cancelPath)) return;
                // No server can be reached: nothing is sent until the wait for them is over (see AllServersDown).
                var down = Interlocked.Read(ref _downUntilTicks) - DateTime.UtcNow.Ticks;
                if (down > 0)
                {
                    await Task.Delay(TimeSpan.FromTicks(Math.Min(down, TimeSpan.TicksPerMillisecond * 100)), lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                if (!queue.TryDequeue(out var item))
                {
                    await Task.Delay(20, lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                // A request is not sent again before its Retry-After (or backoff) has passed, on any server.
                if (item.NotBefore > DateTimeOffset.UtcNow)
                {
                    queue.Enqueue(item);
                    await Task.Delay(5, lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                // A request that failed on this server goes to another one that is up, where there is one.
                if (item.LastServer == me && _servers.Length > 1 && AnotherServerUp(me))
                {
                    queue.Enqueue(item);
                    await Task.Delay(5, lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                // No more at once than the server showed it takes (see ServerGate), and nothing while it rests.
                var gate = _gates[me];
                if ((!IsUp(gate) && AnotherServerUp(me)) || !TryTakeSlot(gate))
                {
                    queue.Enqueue(item);
                    await Task.Delay(5, lifetime).ContinueWith(_ => { }).ConfigureAwait(false);
                    continue;
                }
                string? line = null;
                bool answered = false, refusedBusy = false, unreachable = false;
                try
                {
                    try
                    {
                        line = await CallAsync(server, item, abort).ConfigureAwait(false);
                        answered = true;
                        ServerReached(gate);
                    }
                    catch (Exception) when (lifetime.IsCancellationRequested)
                    {
                        return; // abandoned or failed while stopping: unfinished, the next process that waits runs it
                    }
                    catch (Exception ex) when (ApiClient.MayRetry(ex) || ex is OperationCanceledException)
                    {
                        refusedBusy = ex is ApiException busy && (busy.HttpStatus == 503 || busy.HttpStatus == 429);
                        unreachable = !(ex is ApiException) && !abort.IsCancellationRequested;
                        if (ex is ApiException) ServerReached(gate);
                        else if (NotReached(ex))
                        {
                            gate.NotReached = true;
                            // Nothing reached any server: not an attempt. The request stays pending; the run waits for a server.
                            if (AllServersDown(ex.Message))
                            {
                                item.LastServer = me;
                                item.LastError = ex.Message;
                                queue.Enqueue(item);
                                continue;
                            }
                        }
                        item.Attempts++;
                        item.LastServer = me;
                        item.LastError = ex.Message;
                        if (item.Attempts >= MaxAttempts)
                            line = FailedLine(item.CustomId, "server_unavailable", Messages.OllamaNoServer(item.Attempts, ex.Message), null, me);
                        else
                        {
                            // Retry-After is the server's word for when it takes requests again, whichever server tries next.
                            var delay = ex is ApiException api && api.RetryAfter.HasValue ? api.RetryAfter.Value
                                : TimeSpan.FromMilliseconds(Math.Min(2000, 50 * (1 << Math.Min(item.Attempts, 5))));
                            item.NotBefore = DateTimeOffset.UtcNow + delay;
                            _log?.Invoke(Messages.OllamaRetry(item.CustomId, me, ex.Message, delay));
                            queue.Enqueue(item);
                            continue;
                        }
                    }
                    catch (IrisBatchException ex)
                    {
                        if (ex is ApiException) ServerReached(gate);
                        // A definitive answer (a 4xx, a Retry-After longer than IrisBatch waits, a body that is not JSON): this request failed.
                        var message = ex is ApiException api && api.RetryAt == null ? api.ProviderMessage ?? ex.Message : ex.Message;
                        line = FailedLine(item.CustomId, ex.HttpStatus.HasValue ? "http_" + ex.HttpStatus.Value : "invalid_response", message, ex.HttpStatus, me);
                    }
                }
                finally
                {
                    ReleaseSlot(gate, refusedBusy, answered, unreachable);
                }
                if (line == null) continue;
                lock (_writeLock)
                {
                    var bytes = Encoding.UTF8.GetBytes(line + "\n");
                    // Into the OS at once: a killed process loses nothing it received. (No fsync per answer: waiting for
                    // the disk here would hold answers in memory for longer, and a kill would lose more of them.)
                    writer.Write(bytes, 0, bytes.Length);
                    writer.Flush();
                }
                finished();
            }
        }

        /// <summary>Ollama's error body: {"error": "..."} (or OpenAI's envelope on /v1).</summary>
        private static ProviderErrorInfo? ParseError(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return null;
            using var doc = JsonDocument.Parse(body);
            var e = doc.RootElement.Prop("error");
            if (e == null) return null;
            return e.Value.ValueKind == JsonValueKind.String ? new ProviderErrorInfo { Message = e.Value.GetString() }
                : new ProviderErrorInfo { Message = e.Value.Str("message"), Code = e.Value.Str("code"), Type = e.Value.Str("type") };
        }

        /// <summary>One call through the HTTP pipeline; returns the executed line, or throws (retryable or not: see WorkAsync).</summary>
        private async Task<string> CallAsync(Uri server, Item item, CancellationToken abort)
        {
            var path = item.Path ?? (_openAICompatible ? "chat/completions" : "api/chat");
            using var doc = await _clients[server.AbsoluteUri].SendJsonAsync(HttpMethod.Post, path,
                () => new StringContent(item.Body, Encoding.UTF8, "application/json"), $"request {item.CustomId}", abort, retry: false).ConfigureAwait(false);
            if (item.Path != null) return Embeddings.LocalEmbeddings.ExecutedLine(item.CustomId, doc.RootElement, server.AbsoluteUri);
            var (output, usage) = OllamaWire.ReadAnswer(doc.RootElement);
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WriteString("custom_id", item.CustomId);
                w.WriteBoolean("ok", true);
                w.WriteString("output", output);
                var stop = OllamaWire.StopReasonOf(doc.RootElement);
                if (stop != null) w.WriteString("stop_reason", stop);
                if (usage != null)
                {
                    w.WritePropertyName("usage");
                    w.WriteStartObject();
                    w.WriteNumber("input_tokens", usage.InputTokens);
                    w.WriteNumber("output_tokens", usage.OutputTokens);
                    w.WriteNumber("total_tokens", usage.TotalTokens);
                    w.WriteEndObject();
                }
                w.WriteString("server", server.AbsoluteUri);
                w.WritePropertyName("response");
                doc.RootElement.WriteTo(w);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        private static string FailedLine(string customId, string code, string message, int? status, string server)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, JsonlWriter.Options))
            {
                w.WriteStartObject();
                w.WriteString("custom_id", customId);
                w.WriteBoolean("ok", false);
                w.WritePropertyName("error");
                w.WriteStartObject();
                w.WriteString("code", code);
                w.WriteString("message", message);
                if (status.HasValue) w.WriteNumber("http_status", status.Value);
                w.WriteEndObject();
                w.WriteString("server", server);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        internal static string? CustomIdOf(string line)
        {
            const string prefix = "{\"custom_id\":\"";
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
            int end = line.IndexOf('"', prefix.Length);
            return end > 0 ? line.Substring(prefix.Length, end - prefix.Length) : null;
        }

        /// <summary>A process killed mid-write can leave a partial last line: cut it, so the request runs again.</summary>
        private void RepairExecuted()
        {
            if (!File.Exists(_executedPath)) return;
            using var fs = new FileStream(_executedPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            long length = fs.Length, keep = length;
            while (keep > 0)
            {
                fs.Position = keep - 1;
                if (fs.ReadByte() == '\n') break;
                keep--;
            }
            if (keep != length) fs.SetLength(keep);
        }
    }
}
