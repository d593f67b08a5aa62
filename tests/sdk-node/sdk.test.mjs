// The official SDKs of Groq (groq-sdk), Mistral (@mistralai/mistralai) and Together (together-ai) against the emulator
// (issue 19): upload, create, poll, list, get, cancel, download the output and error files, a wrong key is a 401 and an
// unknown id a 404, each through the SDK's own types and error classes. The emulator must be published (out/emulator).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startEmulator, apiKey, lines, until, parseJsonl } from './emulator.mjs';

let emu, dir;
before(async () => {
  emu = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), 'irisbatch-sdk-input-'));
});
after(async () => {
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function inputFile(name, content) {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The successes in the output file and the [fail] request in the error file, each by custom id. */
function assertResults(output, errors, { errorHasResponse }) {
  const ok = parseJsonl(output);
  assert.deepEqual(ok.map(l => l.custom_id).sort(), ['request-1', 'request-3']);
  for (const l of ok) {
    assert.equal(l.response.status_code, 200);
    assert.match(l.response.body.choices[0].message.content, /^Echo: Describe a /);
  }
  const bad = parseJsonl(errors);
  assert.deepEqual(bad.map(l => l.custom_id), ['request-2']);
  if (errorHasResponse) assert.equal(bad[0].response.status_code, 400);
  else assert.match(bad[0].error.message, /\[fail\]/);
}

describe('groq-sdk', () => {
  let Groq, groq, batchId;
  before(async () => {
    ({ default: Groq } = await import('groq-sdk'));
    groq = new Groq({ apiKey, baseURL: `${emu.url}/groq`, maxRetries: 0 });
  });

  test('upload, create with a 3-day window, poll to completed, download both files', async () => {
    const file = await groq.files.create({ file: createReadStream(inputFile('groq.jsonl', lines({ model: 'llama-3.1-8b-instant', openAI: true }))), purpose: 'batch' });
    assert.match(file.id, /^file_/);
    assert.equal(file.purpose, 'batch');
    const created = await groq.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '3d' });
    assert.equal(created.status, 'validating');
    assert.equal(created.completion_window, '3d');
    batchId = created.id;
    const done = await until(() => groq.batches.retrieve(batchId), ['completed', 'failed', 'expired', 'cancelled']);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 3, completed: 2, failed: 1 });
    assert.equal(done.model, undefined, 'Groq batch objects have no model');
    const output = await (await groq.files.content(done.output_file_id)).text();
    const errors = await (await groq.files.content(done.error_file_id)).text();
    assertResults(output, errors, { errorHasResponse: true });
  });

  test('a window beyond 7 days is a 400', async () => {
    const file = await groq.files.create({ file: createReadStream(inputFile('groq-8d.jsonl', lines({ model: 'llama-3.1-8b-instant', openAI: true }))), purpose: 'batch' });
    await assert.rejects(groq.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '8d' }),
      e => e instanceof Groq.BadRequestError && e.status === 400);
  });

  test('list and get', async () => {
    const list = await groq.batches.list();
    assert.ok(list.data.some(b => b.id === batchId));
    assert.equal((await groq.batches.retrieve(batchId)).id, batchId);
  });

  test('cancel goes through cancelling to cancelled', async () => {
    await emu.config({ in_progress_ms: 5000 });
    try {
      const file = await groq.files.create({ file: createReadStream(inputFile('groq-cancel.jsonl', lines({ model: 'llama-3.1-8b-instant', openAI: true }))), purpose: 'batch' });
      const b = await groq.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const cancelling = await groq.batches.cancel(b.id);
      assert.equal(cancelling.status, 'cancelling');
      assert.equal((await until(() => groq.batches.retrieve(b.id), ['cancelled'])).status, 'cancelled');
    } finally { await emu.config({ in_progress_ms: 200 }); }
  });

  test('a wrong key is a 401, an unknown id a 404', async () => {
    const wrong = new Groq({ apiKey: 'wrong', baseURL: `${emu.url}/groq`, maxRetries: 0 });
    await assert.rejects(wrong.batches.list(), e => e instanceof Groq.AuthenticationError && e.status === 401);
    await assert.rejects(groq.batches.retrieve('batch_01doesnotexist'), e => e instanceof Groq.NotFoundError && e.status === 404);
  });
});

describe('@mistralai/mistralai', () => {
  let Mistral, mistral, jobId;
  before(async () => {
    ({ Mistral } = await import('@mistralai/mistralai'));
    mistral = new Mistral({ apiKey, serverURL: `${emu.url}/mistral` });
  });

  async function upload(name) {
    const content = Buffer.from(lines({}));
    return mistral.files.upload({ file: { fileName: name, content }, purpose: 'batch' });
  }

  test('upload, create with the model on the job, poll to SUCCESS, download both files', async () => {
    const file = await upload('mistral.jsonl');
    assert.equal(file.purpose, 'batch');
    assert.equal(file.sampleType, 'batch_request');
    const job = await mistral.batch.jobs.create({ inputFiles: [file.id], endpoint: '/v1/chat/completions', model: 'mistral-small-latest',
      metadata: { job_type: 'testing' }, timeoutHours: 12 });
    assert.equal(job.status, 'QUEUED');
    jobId = job.id;
    const done = await until(() => mistral.batch.jobs.get({ jobId }), ['SUCCESS', 'FAILED', 'TIMEOUT_EXCEEDED', 'CANCELLED']);
    assert.equal(done.status, 'SUCCESS');
    assert.equal(done.totalRequests, 3);
    assert.equal(done.succeededRequests, 2);
    assert.equal(done.failedRequests, 1);
    assert.deepEqual(done.metadata, { job_type: 'testing' });
    const text = async id => new Response(await mistral.files.download({ fileId: id })).text();
    assertResults(await text(done.outputFile), await text(done.errorFile), { errorHasResponse: true });
  });

  test('timeout_hours above 168 is a 422', async () => {
    const file = await upload('mistral-169.jsonl');
    await assert.rejects(mistral.batch.jobs.create({ inputFiles: [file.id], endpoint: '/v1/chat/completions', model: 'mistral-small-latest', timeoutHours: 169 }),
      e => e.statusCode === 422);
  });

  test('list by page and get', async () => {
    const list = await mistral.batch.jobs.list({ page: 0, pageSize: 10 });
    assert.ok(list.total >= 1);
    assert.ok(list.data.some(j => j.id === jobId));
    assert.equal((await mistral.batch.jobs.get({ jobId })).id, jobId);
  });

  test('cancel goes through CANCELLATION_REQUESTED to CANCELLED', async () => {
    await emu.config({ in_progress_ms: 5000 });
    try {
      const file = await upload('mistral-cancel.jsonl');
      const job = await mistral.batch.jobs.create({ inputFiles: [file.id], endpoint: '/v1/chat/completions', model: 'mistral-small-latest' });
      const cancelling = await mistral.batch.jobs.cancel({ jobId: job.id });
      assert.equal(cancelling.status, 'CANCELLATION_REQUESTED');
      assert.equal((await until(() => mistral.batch.jobs.get({ jobId: job.id }), ['CANCELLED'])).status, 'CANCELLED');
    } finally { await emu.config({ in_progress_ms: 200 }); }
  });

  test('a wrong key is a 401, an unknown id a 404', async () => {
    const wrong = new Mistral({ apiKey: 'wrong', serverURL: `${emu.url}/mistral` });
    await assert.rejects(wrong.batch.jobs.list({}), e => e.statusCode === 401);
    await assert.rejects(mistral.batch.jobs.get({ jobId: '6f1c2d3e-0000-4000-8000-000000000000' }), e => e.statusCode === 404);
  });
});

describe('together-ai', () => {
  let Together, together, batchId;
  before(async () => {
    // The SDK's upload helper reads its base URL from the environment when the module loads, and needs the CommonJS
    // build (its ESM build has no require() for the Node file APIs).
    process.env.TOGETHER_API_BASE_URL = `${emu.url}/together/v1`;
    // Its presigned PUT streams the file through fetch without duplex: 'half', which Node's fetch requires for a stream
    // body: add only that, so the SDK's own upload code runs unchanged.
    const fetch0 = globalThis.fetch;
    globalThis.fetch = (input, init) => fetch0(input, init?.body && typeof init.body.pipe === 'function' ? { ...init, duplex: 'half' } : init);
    Together = createRequire(import.meta.url)('together-ai');
    Together = Together.default ?? Together;
    together = new Together({ apiKey, baseURL: `${emu.url}/together/v1`, maxRetries: 0 });
  });

  async function upload(name) {
    const model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
    return together.files.upload(inputFile(name, lines({ model })), 'batch-api', false);
  }

  test('upload through the presigned redirect, create (201 with job), poll to COMPLETED, download both files', async () => {
    const file = await upload('together.jsonl');
    assert.equal(file.purpose, 'batch-api');
    assert.equal(file.LineCount, 3);
    const created = await together.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', model_id: 'nodiscount-model' });
    assert.equal(created.job.status, 'VALIDATING');
    assert.match(created.warning, /batch discount/);
    batchId = created.job.id;
    const done = await until(() => together.batches.retrieve(batchId), ['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED']);
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.progress, 100);
    assert.match(done.created_at, /^\d{4}-\d{2}-\d{2}T/);
    const output = await (await together.files.content(done.output_file_id)).text();
    const errors = await (await together.files.content(done.error_file_id)).text();
    assertResults(output, errors, { errorHasResponse: false });
  });

  test('list is a bare array; get', async () => {
    const list = await together.batches.list();
    assert.ok(Array.isArray(list));
    assert.ok(list.some(b => b.id === batchId));
    assert.equal((await together.batches.retrieve(batchId)).id, batchId);
  });

  test('cancel goes through CANCELING to CANCELLED', async () => {
    await emu.config({ in_progress_ms: 5000 });
    try {
      const file = await upload('together-cancel.jsonl');
      const { job } = await together.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions' });
      const cancelling = await together.batches.cancel(job.id);
      assert.equal(cancelling.status, 'CANCELING');
      assert.equal((await until(() => together.batches.retrieve(job.id), ['CANCELLED'])).status, 'CANCELLED');
    } finally { await emu.config({ in_progress_ms: 200 }); }
  });

  test('a wrong key is a 401, an unknown id a 404 with a string error', async () => {
    const wrong = new Together({ apiKey: 'wrong', baseURL: `${emu.url}/together/v1`, maxRetries: 0 });
    await assert.rejects(wrong.batches.list(), e => e instanceof Together.AuthenticationError && e.status === 401);
    await assert.rejects(together.batches.retrieve('6f1c2d3e-0000-4000-8000-000000000000'),
      e => e instanceof Together.NotFoundError && e.status === 404 && typeof e.error?.error === 'string');
  });
});
