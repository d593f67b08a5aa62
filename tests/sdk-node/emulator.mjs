// Starts out/emulator on a free 127.0.0.1 port for the SDK tests and stops it; the same flags as TestHelpers.psm1.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const apiKey = 'test-key';

export async function startEmulator() {
  const dataDir = mkdtempSync(join(tmpdir(), 'irisbatch-sdk-'));
  const dll = process.env.IRISBATCH_EMULATOR ?? join(repo, 'out', 'emulator', 'IrisBatch.Emulator.dll');
  const child = spawn(process.env.DOTNET_HOST_PATH || 'dotnet', [dll, '--port', '0', '--api-key', apiKey,
    '--validating-ms', '20', '--in-progress-ms', '200', '--finalizing-ms', '20', '--cancelling-ms', '300',
    '--exit-on-stdin-close', '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator printed no URL within 30 s')), 30000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', line => {
      const m = /listening on:?\s+(https?:\/\/[^\s/]+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', code => reject(new Error(`the emulator exited (${code}) before printing its URL`)));
  });
  child.stdout.resume();
  return {
    url,
    async config(body) {
      const r = await fetch(`${url}/_emulator/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`config: HTTP ${r.status}`);
    },
    async stats() { return (await fetch(`${url}/_emulator/stats`)).json(); },
    async stop() {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.stdin.end();
      if (child.exitCode === null) await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Three chat requests in the {custom_id, body} form; the second fails ([fail] is the emulator's marker). */
export function lines({ model, openAI = false }) {
  const texts = ['Describe a red widget', 'Describe a [fail] gadget', 'Describe a blue gizmo'];
  return texts.map((text, i) => {
    const body = { messages: [{ role: 'user', content: text }], max_tokens: 32 };
    if (model) body.model = model;
    const line = { custom_id: `request-${i + 1}`, body };
    if (openAI) Object.assign(line, { method: 'POST', url: '/v1/chat/completions' });
    return JSON.stringify(openAI ? { custom_id: line.custom_id, method: line.method, url: line.url, body } : line);
  }).join('\n') + '\n';
}

/** Polls until the batch's status is one of the terminal ones (synchronising on state, not on time). */
export async function until(read, terminal, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await read();
    if (terminal.includes(b.status)) return b;
    if (Date.now() > deadline) throw new Error(`still ${b.status} after ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 50));
  }
}

export function parseJsonl(text) {
  return text.split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
}
