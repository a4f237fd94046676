import { describe, expect, it } from 'vitest';
import { checkRequest, checkResult, checkPush, API_VERBS } from '../../../shared/contract/api';
import { CHANNELS } from '../../../shared/contract/channels';

describe('checkRequest', () => {
  it('accepts a well-formed scan request and collects its path for the roots check', () => {
    const r = checkRequest('scan:folder', { dir: '/data/m31' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.paths).toEqual(['/data/m31']);
  });

  it('collects every path of a request, including optional ones', () => {
    const r = checkRequest('run:start', { inputDir: '/in', configText: 'a: 1', outDir: '/out' });
    expect(r.ok && r.paths).toEqual(['/in', '/out']);
  });

  it('refuses an unknown channel', () => {
    const r = checkRequest('fs:delete', { dir: '/' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_REQUEST');
  });

  it.each([
    ['a missing field', 'scan:folder', {}],
    ['a wrong type', 'scan:folder', { dir: 42 }],
    ['an empty path', 'scan:folder', { dir: '' }],
    ['a path with a NUL byte', 'fs:list', { dir: '/tmp/\0x' }],
    ['an unknown extra field', 'scan:folder', { dir: '/x', recursive: true }],
    ['a non-object request', 'run:list', 'all'],
    ['null', 'app:info', null],
    ['a relative file escaping the run dir', 'run:file', { runDir: '/r', file: '../../etc/passwd' }],
    ['an absolute file inside a run dir', 'run:file', { runDir: '/r', file: '/etc/passwd' }],
    ['a Windows-style escaping file', 'logs:read', { runDir: '/r', file: 'logs\\..\\x', fromByte: 0 }],
    ['a negative byte offset', 'logs:read', { runDir: '/r', file: 'logs/app.log', fromByte: -1 }],
    ['a fractional frame count', 'demo:create', { frames: 2.5 }],
    ['an oversized image side', 'image:read', { runDir: '/r', file: 'result/stack.fits', maxSide: 100000 }],
  ])('refuses a request with %s', (_label, channel, request) => {
    const r = checkRequest(channel, request);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_REQUEST');
  });

  it('names the offending field in the message', () => {
    const r = checkRequest('run:start', { inputDir: '/in', configText: 7 });
    expect(!r.ok && r.error.message).toContain('request.configText: expected a string, got 7');
  });

  it('maps every verb onto an existing channel', () => {
    for (const channel of Object.values(API_VERBS)) expect(CHANNELS).toContain(channel);
  });
});

describe('checkResult', () => {
  it('passes an error envelope through as data', () => {
    const r = checkResult('scan:folder', { ok: false, error: { code: 'PATH_NOT_ALLOWED', message: 'no' } });
    expect(r).toEqual({ ok: false, error: { code: 'PATH_NOT_ALLOWED', message: 'no' } });
  });

  it('turns a response that breaks the contract into a FAILED error', () => {
    const r = checkResult('dialog:chooseFolder', { ok: true, value: { path: 5 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FAILED');
  });

  it("accepts a run's frozen configuration of realistic size (every default filled in)", () => {
    const configText = `# frozen\n${'key: value  # comment\n'.repeat(2000)}`;
    const r = checkResult('run:read', { ok: true, value: { runDir: '/r', events: [], invalidLines: 0, configText, active: false } });
    expect(r.ok).toBe(true);
  });

  it('accepts a response that follows the contract', () => {
    expect(checkResult('dialog:chooseFolder', { ok: true, value: { path: null } })).toEqual({ ok: true, value: { path: null } });
  });
});

describe('checkPush', () => {
  it('drops a run event push whose event is malformed', () => {
    expect(checkPush('run:event', { runDir: '/r', event: { type: 'progress', v: 1 } })).toBeNull();
  });
});
