#!/usr/bin/env python3
"""Every public header compiles on its own (with -Werror), as Hana's do.

Usage: check.py --cxx 'g++' INCLUDE_DIR
"""
import argparse
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cxx', required=True)
    ap.add_argument('include')
    args = ap.parse_args()
    root = pathlib.Path(args.include)
    headers = sorted(p.relative_to(root).as_posix() for p in root.rglob('*.hpp'))
    bad = 0
    # A header that includes <mpi.h> (train/distributed.hpp) compiles with MPI's flags, when MPI is there.
    mpicxx = shutil.which('mpicxx')
    mpi_flags = shlex.split(subprocess.run([mpicxx, '--showme:compile'], capture_output=True, text=True).stdout) if mpicxx else []
    with tempfile.TemporaryDirectory() as tmp:
        for h in headers:
            src = pathlib.Path(tmp) / 'one.cpp'
            src.write_text(f'#include <{h}>\n#include <{h}>\n')  # and the include guard works
            extra = []
            if '#include <mpi.h>' in (root / h).read_text():
                if not mpi_flags:
                    print('skip ' + h + ' (needs MPI: mpicxx not found)')
                    continue
                extra = mpi_flags
            cmd = shlex.split(args.cxx) + ['-std=c++20', '-Wall', '-Wextra', '-Wpedantic', '-Werror',
                                            '-I', str(root), '-fsyntax-only', str(src)] + extra
            p = subprocess.run(cmd, capture_output=True, text=True)
            print(('ok   ' if p.returncode == 0 else 'FAIL ') + h)
            if p.returncode != 0:
                bad += 1
                print(p.stderr[:3000])
    print(f'{len(headers) - bad} passed, {bad} failed')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
