#!/usr/bin/env python3
"""Compile-fail runner: a case must fail to compile with the expected diagnostic, its twin must compile.

A case file holds the failing code and, behind `#ifdef TYPENET_TWIN`, a twin
that differs minimally and must compile. Its comments say what the compiler
output must contain:

    // expect: windows_must_tile_the_padded_input     (every compiler)
    // expect-gcc: ...                                  (g++ only)
    // expect-clang: ...                                (clang only)
    // expect-reports: 1                                (typenet diagnostics; default 1)

Usage: run.py --cxx 'g++' [--flag F ...] case.cpp
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile


def compiler_family(cxx):
    out = subprocess.run(cxx + ['--version'], capture_output=True, text=True).stdout
    return 'clang' if 'clang' in out else 'gcc'


def expectations(path, family):
    expected, reports = [], 1
    for line in open(path, encoding='utf-8'):
        m = re.match(r'\s*//\s*expect(?:-(gcc|clang))?:\s*(.+?)\s*$', line)
        if m and m.group(1) in (None, family):
            expected.append(m.group(2))
        m = re.match(r'\s*//\s*expect-reports:\s*(\d+)', line)
        if m:
            reports = int(m.group(1))
    return expected, reports


def compile_case(cxx, flags, path, twin):
    with tempfile.TemporaryDirectory() as tmp:
        cmd = cxx + flags + ['-c', path, '-o', os.path.join(tmp, 'case.o')]
        if twin:
            cmd.append('-DTYPENET_TWIN')
        p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr, cmd


def main():
    """Runs the case; with --must-fail-with, inverts the verdict so a self-test can prove a miss is caught."""
    import io
    import contextlib
    args = parse()
    if not args.must_fail_with:
        return check(args)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = check(args)
    print(buf.getvalue())
    if rc != 0 and args.must_fail_with in buf.getvalue():
        print(f'ok: the runner caught it ({args.must_fail_with!r})')
        return 0
    print(f'FAIL: the runner should have failed with {args.must_fail_with!r}')
    return 1


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cxx', required=True, help='compiler command, e.g. "g++" or "clang++-16"')
    ap.add_argument('--flag', action='append', default=[], help='compiler flag (repeatable)')
    ap.add_argument('--must-fail-with', help='self-test: succeed only if the case fails with this text')
    ap.add_argument('case')
    return ap.parse_args()


def check(args):
    cxx = shlex.split(args.cxx)
    family = compiler_family(cxx)
    expected, reports = expectations(args.case, family)
    name = os.path.basename(args.case)
    if not expected:
        print(f'{name}: no "// expect:" line; a case must say what it expects')
        return 1
    if '#ifdef TYPENET_TWIN' not in open(args.case, encoding='utf-8').read():
        print(f'{name}: no "#ifdef TYPENET_TWIN" twin; every case needs one that compiles')
        return 1

    failures = []
    rc, out, cmd = compile_case(cxx, args.flag, args.case, twin=True)
    if rc != 0:
        failures.append(f'the twin (-DTYPENET_TWIN) must compile but did not:\n{out[-4000:]}')
    rc, out, cmd = compile_case(cxx, args.flag, args.case, twin=False)
    if rc == 0:
        failures.append('the case must fail to compile but compiled')
    else:
        for text in expected:
            if text not in out:
                failures.append(f'missing from the {family} output: {text!r}')
        # Every message opens with 'typenet: '; clang also prints the user's own failed
        # requirement, whose type names hold 'typenet::', and that is not a report.
        found = len(re.findall(r'static assertion failed[^\n]*?typenet: ', out))
        if found != reports:
            failures.append(f'expected {reports} typenet diagnostic(s), found {found} (one bad layer, one error)')
    if failures:
        print(f'FAIL {name} ({family}): ' + shlex.join(cmd))
        for f in failures:
            print('  - ' + f)
        if rc != 0:
            print('--- compiler output (first 6000 characters) ---')
            print(out[:6000])
        return 1
    print(f'ok {name} ({family}): {len(expected)} expected text(s) found, twin compiles')
    return 0


if __name__ == '__main__':
    sys.exit(main())
