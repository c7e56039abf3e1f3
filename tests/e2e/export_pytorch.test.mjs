// Export to PyTorch from the page: the button downloads a zip built in the page whose
// files (train.py, the data, the initial weights, the README) are, byte for byte, what
// `gradlab export PRESET --pytorch DIR` writes (the CPU backend draws the same initial
// weights in wasm and natively). The zip is read with Python's own zipfile module, which
// also checks every entry's CRC-32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { browserForFile, chooseBackend, choosePreset, download, gradlab, openPage } from './helpers.mjs';

const browser = browserForFile();

/** Python's zipfile: the entry names, after `testzip()` found every CRC-32 right. */
function unzip(file, into) {
  const script =
    'import sys, zipfile\n' +
    'z = zipfile.ZipFile(sys.argv[1])\n' +
    'bad = z.testzip()\n' +
    'assert bad is None, f"bad CRC in {bad}"\n' +
    'z.extractall(sys.argv[2])\n' +
    'print("\\n".join(z.namelist()))\n';
  return execFileSync('python3', ['-c', script, file, into], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

// An MLP, and the date translator (an encoder-decoder: its own model classes in train.py).
for (const preset of ['xor', 'translate-dates']) {
  test(`the Export to PyTorch zip holds the CLI export, byte for byte (${preset})`, { timeout: 180_000 }, async () => {
    const { page, errors } = await openPage(browser());
    await chooseBackend(page, 'cpu');
    await choosePreset(page, preset);
    const file = await download(page, 'export-pytorch');
    assert.equal(path.basename(file), `gradlab-${preset}-pytorch.zip`);
    const pageDir = mkdtempSync(path.join(tmpdir(), 'gradlab-zip-'));
    const names = unzip(file, pageDir);
    const files = ['train.py', 'data.safetensors', 'init.safetensors', 'README.md'];
    assert.deepEqual(names, files.map((f) => `gradlab-${preset}-pytorch/${f}`));

    const cliDir = mkdtempSync(path.join(tmpdir(), 'gradlab-cli-'));
    gradlab('export', preset, '--pytorch', cliDir);
    for (const f of files) {
      const fromPage = readFileSync(path.join(pageDir, `gradlab-${preset}-pytorch`, f));
      const fromCli = readFileSync(path.join(cliDir, f));
      assert.ok(fromPage.equals(fromCli), `${f}: the page's file is the CLI's`);
    }
    assert.match(readFileSync(path.join(cliDir, 'train.py'), 'utf8'), /DistributedDataParallel/);
    if (preset === 'translate-dates') {
      assert.match(readFileSync(path.join(cliDir, 'train.py'), 'utf8'), /class Seq2Seq/);
    }
    assert.deepEqual(errors, [], 'no page errors');
  });
}
