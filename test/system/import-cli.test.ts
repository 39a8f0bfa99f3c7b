/**
 * `haven import` as a zone or a coordinator would script it, right after `haven demo`: the
 * preview as JSON, the commit, a re-import that creates nothing, and a refusal that exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { havenEnv, ROOT, runHaven } from './harness.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'haven-import-cli-'));
const env = havenEnv(dir);
const CARMA = path.join(ROOT, 'test/fixtures/police/police-export-carma.csv');
const NAMUR = path.join(ROOT, 'test/fixtures/police/police-export-namur-fr.csv');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('haven import', () => {
  it('previews, commits, and creates nothing twice; refuses a programme without a protocol', { timeout: 120_000 }, async () => {
    const demo = await runHaven(['demo'], env);
    expect(demo.code, demo.stderr).toBe(0);

    const preview = await runHaven(['import', CARMA, '--programme', 'hoe-gaat-het-outreach'], env);
    expect(preview.code, preview.stderr).toBe(0);
    const p = JSON.parse(preview.stdout);
    expect(p.committed).toBe(false);
    expect(p.preview).toMatchObject({ rows: 280, accepted: 269, contacts: 275, dossiers: 140, setAside: { orange: 6, no_pv_number: 1, duplicate_in_file: 4 } });

    const commit = await runHaven(['import', CARMA, '--programme', 'hoe-gaat-het-outreach', '--commit', '--save-mapping', 'carma'], env);
    expect(commit.code, commit.stderr).toBe(0);
    expect(JSON.parse(commit.stdout)).toMatchObject({ committed: true, result: { dossiers: 140, contacts: 275, orangeRed: 6 } });

    const again = await runHaven(['import', CARMA, '--programme', 'hoe-gaat-het-outreach', '--mapping', 'carma', '--commit'], env);
    expect(again.code, again.stderr).toBe(0);
    const a = JSON.parse(again.stdout);
    expect(a.preview.setAside.already_imported).toBe(275);
    expect(a.result).toMatchObject({ dossiers: 0, contacts: 0 });

    const french = await runHaven(['import', NAMUR, '--programme', 'hoe-gaat-het-outreach', '--commit'], env);
    expect(french.code, french.stderr).toBe(0);
    expect(JSON.parse(french.stdout).result).toMatchObject({ dossiers: 60, contacts: 118 });

    const refused = await runHaven(['import', CARMA, '--programme', 'hoe-gaat-het-lotgenoten', '--lang', 'nl'], env);
    expect(refused.code).toBe(1);
    const problem = JSON.parse(refused.stderr);
    expect(problem).toMatchObject({ status: 422, code: 'no_active_protocol', title: 'Geen actief protocol' });
  });
});
