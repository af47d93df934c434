#!/usr/bin/env python3
"""What checking a network costs the compiler: wall time and peak memory per translation unit.

Generates one translation unit per case and compiles each with every compiler:

  baseline       only `#include <typenet/typenet.hpp>`
  conv-N         network<input<32, 32, 3>, N x (conv<filters<16>, kernel<3>, pad<1>>, relu)>:
                 N convolutions, each followed by relu, so 2N + 1 layers counting the input;
                 static_asserts of its param_count and output_shape force the whole fold
  vgg16          `#include <typenet/models/vgg16.hpp>` and static_assert(param_count<vgg16> == 138,357,544)

Each compile is its own child process; its wall time is taken around it, its CPU time (user +
sys, less sensitive than wall time to other work on the machine) and peak resident memory from
os.wait4 (ru_maxrss of the driver and its waited-for children, so cc1plus / clang -cc1 included).
A case is compiled --runs times and the median reported, except that a compile slower than
--slow seconds is not repeated. The headers are copied at the start, so that edits made during a
run do not mix into it. Limits guard a shared machine: a compile is killed past --max-cpu seconds
of CPU or --max-mem-gib of address space, and reported so.

Flags: -std=c++20 -O0 -c (a real compile to an object file, not -fsyntax-only).

Usage: benchmarks/compile_time.py [--compilers g++ clang++-16] [--layers 10 50 200] [--runs 3]
"""
import argparse
import os
import pathlib
import platform
import resource
import shutil
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FLAGS = ['-std=c++20', '-O0', '-c']


def conv_tu(n):
    """n x (conv 16@3x3 pad 1, relu) on 32x32x3.

    The first conv has 3*3*3*16 + 16 parameters, the others 3*3*16*16 + 16.
    """
    layers = ',\n'.join(['    tn::conv<tn::filters<16>, tn::kernel<3>, tn::pad<1>>, tn::relu'] * n)
    params = (3 * 3 * 3 * 16 + 16) + (n - 1) * (3 * 3 * 16 * 16 + 16)
    return (f'#include <typenet/typenet.hpp>\n'
            f'namespace tn = typenet;\n'
            f'using net = tn::network<tn::input<32, 32, 3>,\n{layers}>;\n'
            f'static_assert(tn::param_count<net> == {params});\n'
            f'static_assert(tn::output_shape<net> == tn::volume(32, 32, 16));\n')


BASELINE_TU = '#include <typenet/typenet.hpp>\n'
VGG16_TU = ('#include <typenet/models/vgg16.hpp>\n'
            'static_assert(typenet::param_count<typenet::models::vgg16> == 138357544);\n')


def cpu_model():
    try:
        for line in open('/proc/cpuinfo', encoding='utf-8'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def version(cxx):
    out = subprocess.run(shlex.split(cxx) + ['--version'], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else 'unknown'


def compile_once(cxx, include, src, log, max_cpu, max_mem):
    """Compiles src once; returns (wall seconds, CPU seconds, peak MiB, error or None)."""
    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (max_cpu, max_cpu))
        resource.setrlimit(resource.RLIMIT_AS, (max_mem, max_mem))

    cmd = shlex.split(cxx) + FLAGS + ['-I', str(include), str(src), '-o', os.devnull]
    with open(log, 'w') as out:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=limits)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    text = pathlib.Path(log).read_text(errors='replace')
    if p.returncode == 0:
        error = None
    elif cpu >= max_cpu - 1:
        error = f'CPU time limit ({max_cpu} s) reached'
    elif 'memory' in text.lower() or 'bad_alloc' in text:
        error = f'out of memory (limit {max_mem / 2**30:g} GiB)'
    elif p.returncode < 0:
        error = f'killed by {signal.Signals(-p.returncode).name}'
    else:
        error = 'compile error, see ' + str(log)
    return seconds, cpu, peak, error


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--compilers', nargs='+', default=['g++', 'clang++-16'])
    ap.add_argument('--layers', nargs='+', type=int, default=[10, 50, 200], help='conv layers per network')
    ap.add_argument('--runs', type=int, default=3, help='compiles per case; the median is reported')
    ap.add_argument('--slow', type=float, default=60, help='do not repeat a compile slower than this (s)')
    ap.add_argument('--max-cpu', type=int, default=900, help='kill a compile past this CPU time (s)')
    ap.add_argument('--max-mem-gib', type=int, default=12, help='kill a compile past this address space (GiB)')
    ap.add_argument('--keep', help='write the translation units and logs here instead of a temporary directory')
    args = ap.parse_args()

    cases = [('baseline', BASELINE_TU)] + [(f'conv-{n}', conv_tu(n)) for n in args.layers] + [('vgg16', VGG16_TU)]

    print(f'CPU: {cpu_model()} ({os.cpu_count()} logical cores)')
    for cxx in args.compilers:
        print(f'{cxx}: {version(cxx)}')
    print(f'flags: {" ".join(FLAGS)} -I <a copy of include/ taken at the start>  (one TU per compile, output to '
          f'{os.devnull})')
    print(f'method: median of {args.runs} runs (a run slower than {args.slow:g} s is not repeated) of wall time '
          f'and of CPU time (user + sys); peak memory = the largest ru_maxrss from wait4 (compiler driver and its '
          f'children); max load = the highest 1-minute load average seen after a run')
    head = subprocess.run(['git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True)
    dirty = subprocess.run(['git', '-C', str(ROOT), 'status', '--porcelain', '--', 'include'], capture_output=True,
                           text=True)
    if head.returncode == 0:
        changed = ' '.join(line[3:] for line in dirty.stdout.splitlines())
        print(f'typenet: {head.stdout.strip()}' + (f' with uncommitted changes to {changed}' if changed else ''))
    print(f'load average before: {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    print(flush=True)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        # A snapshot of the headers, so that edits made during the run do not mix into it.
        include = work / 'include'
        shutil.rmtree(include, ignore_errors=True)
        shutil.copytree(ROOT / 'include', include)
        for cxx in args.compilers:
            tag = pathlib.Path(shlex.split(cxx)[0]).name
            base = None
            for name, text in cases:
                src = work / f'{name}.cpp'
                src.write_text(text)
                times, cpus, peaks, loads, error = [], [], [], [], None
                for run in range(args.runs):
                    t, c, m, error = compile_once(cxx, include, src, work / f'{name}.{tag}.log', args.max_cpu,
                                                  args.max_mem_gib << 30)
                    times.append(t)
                    cpus.append(c)
                    peaks.append(m)
                    loads.append(os.getloadavg()[0])
                    print(f'  {name:9} {cxx:11} run {run + 1}: {t:7.2f} s wall {c:7.2f} s CPU {m:8.0f} MiB'
                          f'  load {loads[-1]:.2f}' + (f'  {error}' if error else ''), file=sys.stderr, flush=True)
                    if error or t > args.slow:
                        break
                t, c = statistics.median(times), statistics.median(cpus)
                if name == 'baseline' and not error:
                    base = t
                rows.append((name, cxx, t, None if error or base is None or name == 'baseline' else t - base, c,
                             max(peaks), len(times), max(loads), error))

    print(f'load average after:  {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    print()
    print('| network | compiler | time (s) | over baseline (s) | CPU (s) | peak memory (MiB) | runs | max load |')
    print('|---|---|---:|---:|---:|---:|---:|---:|')
    for name, cxx, t, over, c, peak, runs, load, error in rows:
        over_s = '' if over is None else f'{over:+.2f}'
        time_s = f'{t:.2f}' if not error else f'{t:.0f}, {error}'
        print(f'| {name} | {cxx} | {time_s} | {over_s} | {c:.2f} | {peak:.0f} | {runs} | {load:.2f} |')
    return 1 if any(r[-1] for r in rows) else 0


if __name__ == '__main__':
    sys.exit(main())
