#!/usr/bin/env python3
"""Checks the one-binary-for-every-CPU example (examples/dispatch): run it, then disassemble it and
check that every function using an instruction beyond baseline x86-64 (VEX/EVEX-encoded: AVX, AVX2,
FMA, AVX-512; AVX-512 mask registers; BMI1/2, LZCNT, POPCNT, MOVBE) is code of an ISA variant: a
symbol in one of typenet's ISA namespaces (isa_fma3_avx2, isa_avx512bw, ...) or the example's
AVX2 / AVX-512 specialization, or a local symbol (a clone the compiler made inside one unit). Anything else would be a body that the variants share and the linker
may have taken from an AVX unit, which would stop a baseline CPU with SIGILL.

Usage: dispatch_check.py --objdump OBJDUMP EXECUTABLE
"""
import argparse
import re
import subprocess
import sys

BEYOND_BASELINE = re.compile(
    r'^\s*[0-9a-f]+:\s+(v[a-z0-9]+|k(and|andn|or|xor|xnor|not|mov|shift|test|unpck|add|ortest)[a-z]*'
    r'|shrx|shlx|sarx|rorx|andn|bzhi|pdep|pext|mulx|blsi|blsmsk|blsr|lzcnt|tzcnt|popcnt|movbe)\b')
VARIANT = re.compile(r'isa_(avx|fma3|avx512)|operator\(\)<xsimd::(avx512bw|fma3<xsimd::avx2>)')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--objdump', required=True)
    ap.add_argument('exe')
    args = ap.parse_args()
    run = subprocess.run([args.exe], capture_output=True, text=True)
    print(run.stdout, end='')
    if run.returncode != 0:
        print(f'FAIL: {args.exe} exited {run.returncode}\n{run.stderr}')
        return 1
    # Local symbols (nm: t) belong to one unit; only global and weak ones can be shared.
    nm = subprocess.run([args.objdump.replace('objdump', 'nm'), '--defined-only', args.exe],
                        capture_output=True, text=True, check=True).stdout
    local = {int(a, 16) for a, kind, *_ in (l.split() for l in nm.splitlines() if len(l.split()) >= 3) if kind == 't'}
    dump = subprocess.run([args.objdump, '-d', '--no-show-raw-insn', '-C', args.exe],
                          capture_output=True, text=True, check=True).stdout
    function, variant_functions, offenders = None, set(), {}
    for line in dump.splitlines():
        m = re.match(r'^([0-9a-f]+) <(.*)>:$', line)
        if m:
            function = None if int(m.group(1), 16) in local else m.group(2)
            continue
        if function and BEYOND_BASELINE.match(line):
            if VARIANT.search(function):
                variant_functions.add(function)
            else:
                offenders.setdefault(function, line.strip())
    if not variant_functions:
        print('FAIL: no function uses AVX: the variants were not built with their flags')
        return 1
    for f, insn in sorted(offenders.items()):
        print(f'FAIL: {f} is shared by the variants but holds an instruction beyond baseline x86-64: {insn}')
    if offenders:
        return 1
    print(f'ok: {len(variant_functions)} functions use AVX/AVX-512, all in ISA namespaces or variant specializations')
    return 0


if __name__ == '__main__':
    sys.exit(main())
