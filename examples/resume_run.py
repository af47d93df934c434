#!/usr/bin/env python3
"""The fashion_mnist example's checkpoints as a test: an interrupted and resumed run ends bit-identical.

Usage: resume_run.py EXE

In a temporary directory: `EXE --epochs 2 --limit 1000 --save straight` (two epochs in one go), then
`EXE --epochs 2 --limit 1000 --checkpoint ckpt` killed after its first epoch's checkpoint, as an
interruption would, and `EXE --epochs 2 --limit 1000 --resume ckpt --save resumed`. The two weights
files must be the same bytes, and the resumed run must say it resumed after epoch 1.
"""
import pathlib
import subprocess
import sys
import tempfile
import time


def run(cmd):
    print('$', ' '.join(str(c) for c in cmd), flush=True)
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    print(p.stdout, end='')
    print(p.stderr, end='', file=sys.stderr)
    if p.returncode != 0:
        raise SystemExit(f'{cmd[0]} exited with status {p.returncode}')
    return p.stdout


def main():
    exe = sys.argv[1]
    common = ['--epochs', '2', '--limit', '1000', '--threads', '2']
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        run([exe, *common, '--save', d / 'straight'])
        # Interrupted: stopped as soon as the first epoch's checkpoint is in place.
        ckpt = d / 'ckpt'
        print('$', exe, *common, '--checkpoint', ckpt, '(killed after epoch 1)', flush=True)
        p = subprocess.Popen([exe, *common, '--checkpoint', str(ckpt)], stdout=subprocess.PIPE, text=True)
        for line in p.stdout:
            print(line, end='')
            if line.startswith('epoch 1/2  lr'):  # the epoch's report; its checkpoint follows at once
                break
        while not ckpt.exists() and p.poll() is None:
            time.sleep(0.01)
        p.kill()
        p.wait()
        if not ckpt.exists():
            raise SystemExit('no checkpoint was written')
        out = run([exe, *common, '--resume', ckpt, '--save', d / 'resumed'])
        if 'resuming from' not in out or 'after epoch' not in out:
            raise SystemExit('the resumed run did not say where it resumed')
        straight, resumed = (d / 'straight').read_bytes(), (d / 'resumed').read_bytes()
        if straight != resumed:
            raise SystemExit('the resumed run ended with other weights than the uninterrupted run')
        print(f'resumed run ends with the same {len(straight)} bytes of weights as the uninterrupted run')


main()
