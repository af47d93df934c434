#!/usr/bin/env python3
"""The run-time ISA guard (include/typenet/isa_guard.hpp) stops a program built for an ISA the
CPU lacks before main, with a message naming what is missing, and is itself baseline code.

Usage: check.py --objdump OBJDUMP KIND=EXE ...
  v4-pretend   built with -march=x86-64-v4 and TYPENET_ISA_GUARD_PRETEND_MISSING="avx512bw"
  v4           built with -march=x86-64-v4 (runs on an AVX-512 CPU, stops elsewhere)
  sse2-pretend built for baseline x86-64 with TYPENET_ISA_GUARD_PRETEND_MISSING="sse2"
  disabled     the same with TYPENET_NO_ISA_GUARD as well
"""
import argparse
import re
import subprocess
import sys

EXIT_STATUS = 78  # typenet::isa_guard::exit_status
failures = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures.append(what)


def run(exe):
    p = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    print(f'  {exe}: exit {p.returncode}\n  stdout: {p.stdout.strip()}\n  stderr: {p.stderr.strip()}')
    return p


def cpu_flags():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('flags'):
                return set(line.split(':', 1)[1].split())
    return set()


def expect_stopped(exe, level, missing):
    p = run(exe)
    check(p.returncode == EXIT_STATUS, f'{exe} exits with {EXIT_STATUS}')
    check('main reached' not in p.stdout, f'{exe} stops before main')
    check(p.stderr.startswith(f'typenet: this program was built for {level} ('), f'{exe} says it was built for {level}')
    lacks = re.search(r'but this CPU lacks ([a-z0-9., ]+);', p.stderr)
    check(lacks is not None and missing in lacks.group(1).split(', '), f'{exe} names {missing} as missing')
    check('docs/runtime.md' in p.stderr and '-march' in p.stderr, f'{exe} says how to rebuild or dispatch')


def expect_ran(exe):
    p = run(exe)
    check(p.returncode == 0 and p.stdout.startswith('main reached'), f'{exe} runs main')
    check(p.stderr == '', f'{exe} writes nothing to stderr')


# Instructions that baseline x86-64 lacks: VEX/EVEX (v...), AVX-512 mask registers, BMI/ABM/MOVBE.
ADVANCED = re.compile(r'\s(v[a-z0-9]+|k[a-z0-9]+[bwdq]|shlx|shrx|sarx|rorx|bzhi|pdep|pext|andn|blsr|blsi|blsmsk|'
                      r'lzcnt|popcnt|movbe|mulx|adcx|adox)\s|%[xyz]mm(1[6-9]|2[0-9]|3[01])\b|%[yz]mm|%k[0-7]\b')


def guard_code_is_baseline(objdump, exe):
    out = subprocess.run([objdump, '-d', '--no-show-raw-insn', '-C', exe], capture_output=True, text=True,
                         check=True).stdout
    functions = {}
    name = None
    for line in out.splitlines():
        m = re.match(r'^[0-9a-f]+ <(.*)>:$', line)
        if m:
            name = m.group(1)
            functions[name] = []
        elif name is not None and line.strip():
            functions[name].append(line)
    guard = {n: body for n, body in functions.items() if 'isa_guard' in n}
    check(any('check_isa' in n for n in guard), f'{exe} holds typenet::isa_guard::detail::check_isa')
    for n, body in guard.items():
        bad = [line.strip() for line in body if ADVANCED.search(line)]
        check(not bad, f'{n} uses baseline x86-64 instructions only' + (f' (found: {bad[:3]})' if bad else ''))
    # And the test means something: the rest of the program was built for more than baseline.
    check(any(ADVANCED.search(line) for n, body in functions.items() if 'isa_guard' not in n for line in body),
          f'{exe} uses instructions beyond baseline x86-64 outside the guard')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--objdump', default='objdump')
    ap.add_argument('programs', nargs='+', help='KIND=EXE')
    args = ap.parse_args()
    programs = dict(p.split('=', 1) for p in args.programs)

    expect_stopped(programs['v4-pretend'], 'AVX-512', 'avx512bw')
    guard_code_is_baseline(args.objdump, programs['v4-pretend'])
    expect_stopped(programs['sse2-pretend'], 'SSE2', 'sse2')
    expect_ran(programs['disabled'])
    v4 = {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd', 'avx2', 'fma', 'bmi2'}
    lacking = sorted(v4 - cpu_flags())
    if lacking:
        print(f'this CPU lacks {", ".join(lacking)}: the x86-64-v4 build must stop')
        expect_stopped(programs['v4'], 'AVX-512', lacking[0])
    else:
        expect_ran(programs['v4'])

    print(f'{len(failures)} failed' if failures else 'all passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
