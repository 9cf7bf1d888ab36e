import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startTestApp, type TestApp } from './server-models.js';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';

/** One fixed seed, so a failure reproduces; fast-check prints it with the counterexample. */
export const FUZZ_SEED = 20_260_601;
/** Longest wait for one answer: a hang is a failure, not a stuck test run. */
const ANSWER_TIMEOUT_MS = 10_000;

/** Runs a property with the fixed seed; `runs` is kept moderate for a busy machine. */
export async function checkProperty<T extends unknown[]>(
  property: fc.IAsyncProperty<T> | fc.IAsyncPropertyWithHooks<T>,
  runs = 150,
): Promise<void> {
  await fc.assert(property, { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true });
}

/** app.inject, failing if no answer comes within ANSWER_TIMEOUT_MS. */
export async function answer(
  app: FastifyInstance,
  options: InjectOptions,
): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)),
      ANSWER_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([app.inject(options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What no answer may show: stack frames, server file paths, source locations. */
export function assertNoInternals(body: string): void {
  assert.doesNotMatch(body, /\/work|node_modules|\.ts:|"stack"/);
  assert.doesNotMatch(body, /\bat \S+ \(|\bat \S+:\d+:\d+/);
}

/** A 4xx with a JSON body whose `parameter` names what was wrong, and nothing internal. */
export function assertRefused(response: LightMyRequestResponse, parameter: string): void {
  const what = `${response.statusCode} ${response.body.slice(0, 300)}`;
  assert.ok(response.statusCode >= 400 && response.statusCode < 500, what);
  assert.match(String(response.headers['content-type']), /^application\/json/, what);
  assert.equal(response.json().parameter, parameter, what);
  assertNoInternals(response.body);
}

/** A 200, for a request within the documented ranges. */
export function assertAnswered(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 200, response.body.slice(0, 300));
}

/**
 * Query values of every kind: numbers in odd spellings, huge ones, non-numbers, unicode (emoji,
 * right-to-left, NUL), percent-encoded garbage, very long strings. Each is the decoded value.
 */
export const anyQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '-0',
    '+0',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '-1e400',
    '1e-400',
    '9007199254740993',
    '18446744073709551616',
    '0x10',
    '0b11',
    '0o7',
    '1_000',
    '1,5',
    '1.5',
    '٣',
    '５',
    '7\u0000',
    '\u202e5',
    '😀',
    '%',
    '%zz',
    '%2e%2e%2f',
    '../../etc/passwd',
    'true',
    'null',
    'undefined',
    '[]',
    '{}',
    '1 2',
    '0.1e1',
    '.5',
    '5.',
    '--1',
    '1e3.5',
  ),
  fc.integer({ min: 1, max: 5 }).map((k) => '9'.repeat(k * 100)),
  fc.constant('x'.repeat(10_000)),
);

/**
 * The test app over untrained models and an empty runs folder, started before a file's tests
 * and stopped after them; `app` is set once the `before` hook has run.
 */
export function useFuzzedApp(runsPrefix: string): { app: FastifyInstance } {
  const holder = {} as { app: FastifyInstance };
  let server: TestApp | undefined;
  let runsDir = '';
  before(async () => {
    runsDir = mkdtempSync(join(tmpdir(), runsPrefix));
    server = await startTestApp({ runs: runsDir });
    holder.app = server.app;
  });
  after(async () => {
    await server?.close();
    rmSync(runsDir, { recursive: true, force: true });
  });
  return holder;
}
