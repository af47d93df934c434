#!/usr/bin/env python3
"""Runs tests/distributed/distributed_test under mpirun -np 2, then its fault cases.

Each run has a time limit: a rank left waiting for one that failed would show as a timeout here.
Usage: run.py --mpirun MPIRUN PROGRAM
"""
import argparse
import os
import subprocess
import sys
import time


def mpirun_command(mpirun, ranks=2):
    cmd = [mpirun, '-np', str(ranks), '--oversubscribe']  # more ranks than MPI counts slots, if need be
    if os.geteuid() == 0:
        cmd.append('--allow-run-as-root')  # CI runs as root
    return cmd


def run(cmd, limit):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace') + (e.stderr or b'').decode(errors='replace')
        return None, out, time.monotonic() - start
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mpirun', required=True)
    ap.add_argument('program')
    args = ap.parse_args()
    base = mpirun_command(args.mpirun)
    bad = 0

    rc, out, took = run(base + [args.program], 240)
    print(out)
    print(f'distributed_test under {" ".join(base)}: exit {rc}, {took:.1f} s')
    if rc != 0:
        print('FAIL: the test cases' + (' did not end within 240 s (a hang)' if rc is None else ' failed'))
        bad += 1

    # Four ranks (oversubscribed): ranks without a slice of a batch, and one that passes the sum on.
    four = mpirun_command(args.mpirun, 4)
    rc, out, took = run(four + [args.program, '--test-case=*bit for bit*'], 240)
    print(out)
    print(f'the bit-for-bit cases under {" ".join(four)}: exit {rc}, {took:.1f} s')
    if rc != 0:
        print('FAIL: four ranks' + (' did not end within 240 s (a hang)' if rc is None else ' failed'))
        bad += 1

    # A rank that ends its process, and one that throws: every rank must end, soon, with a message.
    for mode, expect in [('exit', 'rank 1: ending its process at step 3'),
                         ('throw', 'typenet: rank 1 of 2: a fault in rank 1\'s own code at step 3')]:
        rc, out, took = run(base + [args.program, '--fault=' + mode], 60)
        print(f'--- fault={mode}: exit {rc}, {took:.1f} s\n{out.strip()}')
        if rc is None:
            print(f'FAIL: fault={mode}: the ranks did not end within 60 s')
            bad += 1
        elif rc == 0:
            print(f'FAIL: fault={mode}: mpirun exited 0')
            bad += 1
        elif expect not in out:
            print(f'FAIL: fault={mode}: no "{expect}" in the output')
            bad += 1
    # A trainer made before MPI starts (one process, no mpirun): a clear error.
    rc, out, took = run([args.program, '--fault=no-mpi'], 60)
    print(f'--- fault=no-mpi: exit {rc}, {took:.1f} s\n{out.strip()}')
    if rc != 0 or 'MPI is not initialized; make a distributed::environment' not in out:
        print('FAIL: fault=no-mpi: no clear error for a trainer made before MPI_Init')
        bad += 1
    print('distributed: ' + ('all passed' if bad == 0 else f'{bad} failed'))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
