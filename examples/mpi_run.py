#!/usr/bin/env python3
"""fashion_mnist_mpi under `mpirun -np 2` gives fashion_mnist's weights, byte for byte.

Both train for an epoch on the first 600 training images (nine batches of 64 and one of 24) with the same seed; the weights files
they write must be equal and so must the test accuracy they print.
Usage: mpi_run.py --mpirun MPIRUN FASHION_MNIST FASHION_MNIST_MPI [--model vgg|resnet]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mpirun', required=True)
    ap.add_argument('--model', default='vgg')
    ap.add_argument('--limit', default='600')
    ap.add_argument('single')
    ap.add_argument('ranks')
    a = ap.parse_args()
    mpirun = [a.mpirun, '-np', '2', '--oversubscribe'] + (['--allow-run-as-root'] if os.geteuid() == 0 else [])
    common = ['--model', a.model, '--epochs', '1', '--limit', a.limit, '--seed', '3']
    with tempfile.TemporaryDirectory() as tmp:
        one, two = os.path.join(tmp, 'one.safetensors'), os.path.join(tmp, 'two.safetensors')
        runs = [[a.single] + common + ['--threads', '1', '--save', one],
                mpirun + [a.ranks] + common + ['--save', two]]
        acc = []
        for cmd in runs:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
            print('$ ' + ' '.join(cmd) + '\n' + p.stdout + p.stderr)
            if p.returncode != 0:
                print(f'FAIL: exit status {p.returncode}')
                return 1
            m = re.search(r'test accuracy after 1 epochs: ([0-9.]+)%', p.stdout)
            acc.append(m.group(1) if m else None)
        same = open(one, 'rb').read() == open(two, 'rb').read()
    print(f'test accuracy: one process {acc[0]}%, two ranks {acc[1]}%; weights files equal: {same}')
    if acc[0] is None or acc[0] != acc[1] or not same:
        print('FAIL: the two-rank run differs from the one-process run')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
