#!/usr/bin/python3
"""The fuzz suite's two tests.

  run.py corpus MAKE_CORPUS SEEDS        the committed seed files are what MAKE_CORPUS writes today
  run.py fuzz FUZZER SEEDS DICT SECONDS  FUZZER for SECONDS from a copy of SEEDS (the repository is
                                         not written to); a crashing input is kept next to FUZZER
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile


def corpus(make_corpus, seeds):
    with tempfile.TemporaryDirectory(prefix="typenet-corpus-") as tmp:
        subprocess.run([make_corpus, tmp], check=True)
        made, committed = sorted(os.listdir(tmp)), sorted(os.listdir(seeds))
        if made != committed:
            print(f"seed files differ: {make_corpus} writes {made}, {seeds} holds {committed}")
            return 1
        _, mismatch, errors = filecmp.cmpfiles(tmp, seeds, made, shallow=False)
        if mismatch or errors:
            print(f"seed files out of date: {mismatch + errors}; regenerate with {make_corpus} {seeds}")
            return 1
        print(f"{len(made)} seed files, as {os.path.basename(make_corpus)} writes them")
        return 0


def fuzz(fuzzer, seeds, dictionary, seconds):
    artifacts = os.path.join(os.path.dirname(os.path.abspath(fuzzer)), "safetensors_fuzz-artifacts")
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="typenet-fuzz-") as tmp:
        work = os.path.join(tmp, "corpus")
        shutil.copytree(seeds, work)
        command = [fuzzer, work, f"-dict={dictionary}", f"-max_total_time={seconds}", "-print_final_stats=1",
                   "-max_len=4096", "-timeout=20", f"-artifact_prefix={artifacts}/"]
        print(" ".join(command), flush=True)
        result = subprocess.run(command)
        if result.returncode != 0:
            print(f"the fuzzer failed ({result.returncode}); the input is in {artifacts}/; "
                  f"repeat it with: {fuzzer} {artifacts}/<crash file>")
        return result.returncode


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "corpus":
        sys.exit(corpus(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 6 and sys.argv[1] == "fuzz":
        sys.exit(fuzz(*sys.argv[2:5], int(sys.argv[5])))
    sys.exit(__doc__)
