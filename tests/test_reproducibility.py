"""What the notebook's CPU settings pin, each claim tested so that it can fail.

Each short training runs in a fresh Python process, because the settings act only before torch is
imported. Two kinds of difference are simulated:

- what a machine's environment asks for (ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS,
  ONEDNN_MAX_CPU_ISA, MKL_DYNAMIC, OMP_DYNAMIC, OMP_NUM_THREADS): the notebook's first cell
  overwrites these, so with the settings they change nothing, and without them they change the
  weights;
- what the process really runs: the subprocess replaces a value in the notebook's own cells (in
  REPRODUCIBLE_CPU_SETTINGS, or CPU_THREADS), so that PyTorch runs other kernels or another number
  of threads, and get_cpu_capability() and get_num_threads() say so. The notebook stays the only
  copy of the code.

No test here can simulate another CPU model or vendor: oneMKL runs other code on Intel CPUs than on
AMD ones, and oneDNN promises the same bits only on the same CPU with the same number of threads
(README, "What a rerun reproduces"). Nor can OMP_NUM_THREADS simulate more threads than the machine
has cores: PyTorch 2.13 then uses one thread per core (measured on a 2-core machine:
OMP_NUM_THREADS=4 gives 2 threads), so the machine below asks for 1 thread.
"""

import functools
import os
import platform
import subprocess
import sys

import pytest

from notebook_loader import REPO

SHORT_TRAINING = r"""
import hashlib, sys
sys.path.insert(0, {tests!r})
import notebook_loader
cells = notebook_loader.definition_cells(notebook_loader.read_notebook())
for old, new in {replacements!r}:  # a simulated machine: the same code, one of its values changed
    holders = [cell for cell in cells if old in cell.source]
    assert len(holders) == 1 and holders[0].source.count(old) == 1, f"not once: {{old!r}}"
    holders[0].source = holders[0].source.replace(old, new)
notebook_loader.definition_cells = lambda notebook: cells
short = dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=1280)
nb = notebook_loader.load_definitions(overrides=short)
model, history = nb.train_two_stages(seed=0, log=False)
digest = hashlib.sha256()
for tensor in model.state_dict().values():
    digest.update(tensor.contiguous().numpy().tobytes())
print(nb.torch.backends.cpu.get_cpu_capability(), nb.torch.get_num_threads(), digest.hexdigest())
"""

# The short training's weights (the first 16 hex digits of the SHA-256 of its state_dict) with
# the notebook's settings and the pinned packages, measured on the CPUs of MEASURED_ON. (The
# training code before the first convolution became a module gave 8de33f04789f8d48 on this CPU and
# on the committed run's AMD EPYC with AVX2 alike.) Any change to the training code changes it:
# remeasure it with this file's training (settings_run) and replace this one constant.
AVX2_DIGEST = "7947a90f6dd074ff"
# (vendor, CPU family, model) of /proc/cpuinfo: AMD EPYC, family 25, model 17 (Zen 4), with AVX-512,
# oneDNN capped at AVX2 by the settings.
MEASURED_ON = {("AuthenticAMD", "25", "17")}

# Everything a machine's environment could say about kernels and threads; the subprocess starts
# without any of it (the pytest process has the notebook's settings in its environment: conftest).
MACHINE_VARIABLES = (
    "ATEN_CPU_CAPABILITY",
    "MKL_ENABLE_INSTRUCTIONS",
    "ONEDNN_MAX_CPU_ISA",
    "MKL_DYNAMIC",
    "OMP_DYNAMIC",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MKL_CBWR",
)
# A machine that asks for everything the settings pin otherwise: no vector kernels in PyTorch,
# SSE4.2 in MKL, AVX-512 in oneDNN, dynamic thread counts and 1 thread.
ASKS_OTHERWISE = dict(
    ATEN_CPU_CAPABILITY="default",
    MKL_ENABLE_INSTRUCTIONS="SSE4_2",
    ONEDNN_MAX_CPU_ISA="AVX512_CORE",
    MKL_DYNAMIC="TRUE",
    OMP_DYNAMIC="TRUE",
    OMP_NUM_THREADS="1",
)

WITHOUT_SETTINGS = (
    ("os.environ.update(REPRODUCIBLE_CPU_SETTINGS)", "pass"),
    ("torch.set_num_threads(CPU_THREADS)", "pass"),
)
DEFAULT_KERNELS = (('"ATEN_CPU_CAPABILITY": "avx2"', '"ATEN_CPU_CAPABILITY": "default"'),)
AVX512_KERNELS = (('"ATEN_CPU_CAPABILITY": "avx2"', '"ATEN_CPU_CAPABILITY": "avx512"'),)
ONE_THREAD = (("CPU_THREADS = 2 ", "CPU_THREADS = 1 "),)
WITHOUT_ONEDNN_CAP = (('"ONEDNN_MAX_CPU_ISA": "AVX2",', ""),)


def cpu_info():
    """The first processor's fields in /proc/cpuinfo (empty where there is none)."""
    if not os.path.exists("/proc/cpuinfo"):
        return {}
    with open("/proc/cpuinfo") as file:
        block = file.read().split("\n\n")[0]
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in block.splitlines())
    }


CPU = cpu_info()
FLAGS = set(CPU.get("flags", "").split())
HAS_AVX2 = platform.machine() in ("x86_64", "AMD64") and {"avx2", "fma"} <= FLAGS
# what PyTorch's AVX512 kernels and oneDNN's avx512_core kernels need
HAS_AVX512 = HAS_AVX2 and {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= FLAGS
needs_avx2 = pytest.mark.skipif(
    not HAS_AVX2,
    reason="the settings pin PyTorch to its AVX2 kernels, which need an x86-64 CPU with AVX2, FMA",
)
needs_avx512 = pytest.mark.skipif(
    not HAS_AVX512,
    reason="AVX-512 kernels only run on a CPU with AVX-512 (F, BW, VL, DQ)",
)


@functools.cache
def train(machine_environment=(), replacements=()):
    """The short training in a new process: (PyTorch's CPU capability, threads, weight digest).

    The timeout is there for a hang: with OMP_DYNAMIC=TRUE on a busy machine OpenMP may give a
    parallel region fewer threads than set_num_threads asked for, and oneDNN's convolution then
    waits for a thread that never comes (seen without the settings' os.environ.update).
    """
    env = {k: v for k, v in os.environ.items() if k not in MACHINE_VARIABLES}
    env.update(machine_environment)
    script = SHORT_TRAINING.format(tests=str(REPO / "tests"), replacements=list(replacements))
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, f"exit status {result.returncode}\n{result.stderr[-3000:]}"
    capability, threads, digest = result.stdout.split()[-3:]
    return capability, int(threads), digest[:16]


def train_on(machine_environment, replacements=()):
    return train(tuple(sorted(machine_environment.items())), tuple(replacements))


def settings_run():
    """The short training with the notebook's settings, on a machine that asks for nothing."""
    return train_on({})


@needs_avx2
def test_the_settings_override_the_kernels_and_threads_that_the_machine_asks_for():
    """Whatever the environment asks, the process runs AVX2 kernels on 2 threads, same weights."""
    capability, threads, digest = train_on(ASKS_OTHERWISE)
    assert (capability, threads) == ("AVX2", 2)
    assert digest == settings_run()[2]


@needs_avx2
def test_without_the_settings_the_kernels_and_threads_the_machine_asks_for_change_the_weights():
    """The control of the test above: without the settings, the machine's request reaches torch."""
    capability, threads, digest = train_on(ASKS_OTHERWISE, WITHOUT_SETTINGS)
    assert (capability, threads) == ("DEFAULT", 1)
    assert digest != settings_run()[2]


@needs_avx2
def test_pytorchs_kernels_without_vector_instructions_train_other_weights_than_its_avx2_kernels():
    """What PyTorch runs on an x86-64 CPU without AVX2: the digits need the AVX2 kernels."""
    capability, threads, digest = train_on({}, DEFAULT_KERNELS)
    assert (capability, threads) == ("DEFAULT", 2)
    assert digest != settings_run()[2]


@needs_avx512
def test_pytorchs_avx512_kernels_train_other_weights_than_its_avx2_kernels():
    """What PyTorch runs on an AVX-512 CPU unless told otherwise: why the settings ask for AVX2."""
    capability, threads, digest = train_on({}, AVX512_KERNELS)
    assert (capability, threads) == ("AVX512", 2)
    assert digest != settings_run()[2]


@needs_avx2
def test_one_thread_trains_other_weights_than_the_configured_two():
    """The fixed thread count (CPU_THREADS) is part of the digits."""
    capability, threads, digest = train_on({}, ONE_THREAD)
    assert (capability, threads) == ("AVX2", 1)
    assert digest != settings_run()[2]


@needs_avx2
def test_a_short_training_gives_the_weights_measured_on_this_cpu_model():
    """On the CPU model that measured AVX2_DIGEST, the same digest; on any other CPU nothing is
    promised (README), so the test reports that CPU's digest as a new measurement and skips."""
    digest = settings_run()[2]
    here = (CPU.get("vendor_id"), CPU.get("cpu family"), CPU.get("model"))
    if here not in MEASURED_ON:
        pytest.skip(
            f"AVX2_DIGEST was measured on {sorted(MEASURED_ON)} only; this CPU {here} "
            f"({CPU.get('model name')}) trained {digest}"
        )
    assert digest == AVX2_DIGEST


@needs_avx512
def test_without_the_onednn_cap_an_avx512_cpu_trains_other_weights():
    """The cap (ONEDNN_MAX_CPU_ISA=AVX2) makes an AVX-512 CPU run an AVX2 CPU's convolutions."""
    assert train_on({}, WITHOUT_ONEDNN_CAP)[2] != settings_run()[2]
