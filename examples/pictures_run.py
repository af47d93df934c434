#!/usr/bin/env python3
"""The pictures example as a test: briefly trains fashion_mnist, then draws its filters, activations and curves.

Usage: pictures_run.py --fashion-mnist EXE --pictures EXE --plot tools/plot-training

Runs `fashion_mnist --epochs 1 --limit 2000 --save W --csv C` and `pictures --weights W --out D` in a
temporary directory, and checks that every PNG pictures says it wrote exists with the size it printed.
When gnuplot is installed, also draws C with tools/plot-training and checks the result is a PNG.
"""
import argparse
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile


def png_size(path):
    data = path.read_bytes()
    if data[:8] != b'\x89PNG\r\n\x1a\n' or data[12:16] != b'IHDR':
        raise SystemExit(f'{path} is not a PNG file')
    return struct.unpack('>II', data[16:24])


def run(cmd):
    print('$', ' '.join(str(c) for c in cmd), flush=True)
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    print(p.stdout, end='')
    print(p.stderr, end='', file=sys.stderr)
    if p.returncode != 0:
        raise SystemExit(f'{cmd[0]} exited with status {p.returncode}')
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fashion-mnist', required=True)
    ap.add_argument('--pictures', required=True)
    ap.add_argument('--plot', required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix='typenet-pictures-') as tmp:
        tmp = pathlib.Path(tmp)
        weights, csv, out = tmp / 'fashion_mnist.safetensors', tmp / 'training.csv', tmp / 'pictures'
        run([args.fashion_mnist, '--epochs', '1', '--limit', '2000', '--save', weights, '--csv', csv])
        printed = run([args.pictures, '--weights', weights, '--out', out, '--image', '3'])
        written = re.findall(r'^wrote (\S+) \((\d+)x(\d+) pixels\)', printed, re.M)
        names = sorted(pathlib.Path(f).name for f, _, _ in written)
        expected = sorted(['conv1_filters.png', 'input.png'] +
                          [f'activations_{i}.png' for i in ['1_conv1', '2_relu', '3_max_pool', '4_conv2', '5_relu',
                                                            '6_max_pool', '8_fc1', '9_relu', '10_fc2']])
        if names != expected:
            raise SystemExit(f'pictures wrote {names}, expected {expected}')
        for f, w, h in written:
            if png_size(pathlib.Path(f)) != (int(w), int(h)):
                raise SystemExit(f'{f}: {png_size(pathlib.Path(f))} pixels, pictures said {w}x{h}')
        if png_size(out / 'conv1_filters.png') != (8 * 48 + 7 * 4, 4 * 48 + 3 * 4):
            raise SystemExit('conv1_filters.png: not 8 x 4 tiles of 48 pixels with gaps of 4')
        if shutil.which('gnuplot'):
            run([args.plot, csv, tmp / 'training.png'])
            w, h = png_size(tmp / 'training.png')
            print(f'training.png: {w}x{h} pixels')
        else:
            print('gnuplot is not installed: tools/plot-training not checked')
    print('ok')


if __name__ == '__main__':
    main()
