#!/usr/bin/env python3
"""Checks jouleflow's NVML energy readings against pynvml and nvidia-smi on a real GPU.

Runs on the GPU host (no Java there: the bundle carries a jlink runtime). Over one window of
steady bf16 matrix-multiply load it compares:
  - ours:   NvmlProbe --watch samples of nvmlDeviceGetTotalEnergyConsumption, interpolated to
            the window's start and end timestamps;
  - pynvml: the same counter read directly at the window's start and end (the reference);
  - nvidia-smi: power.draw (and power.draw.instant where this driver has it) sampled every
            100 ms and integrated over the window (a cross-check with its own known biases).
PASS when ours is within 1 % of pynvml. Exit codes: 0 PASS, 1 FAIL, 2 could not run.

Local rehearsal without a GPU: --fake-library PATH uses the fake libnvidia-ml from the tests for
both the probe and the reference (through ctypes), with its counter running at a scripted power.
"""
import argparse
import bisect
import ctypes
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime

FAKE_POWER_MW = 250_000


def log(message):
    print(message, flush=True)


# ---- reference counter reader -------------------------------------------------------------


class PynvmlReader:
    name = "pynvml"

    def __init__(self):
        import pynvml  # package nvidia-ml-py

        self.nvml = pynvml
        pynvml.nvmlInit()

    def driver(self):
        return _text(self.nvml.nvmlSystemGetDriverVersion())

    def count(self):
        return self.nvml.nvmlDeviceGetCount()

    def uuid(self, index):
        return _text(self.nvml.nvmlDeviceGetUUID(self.nvml.nvmlDeviceGetHandleByIndex(index)))

    def name_of(self, index):
        return _text(self.nvml.nvmlDeviceGetName(self.nvml.nvmlDeviceGetHandleByIndex(index)))

    def energy_mj(self, index):
        handle = self.nvml.nvmlDeviceGetHandleByIndex(index)
        return int(self.nvml.nvmlDeviceGetTotalEnergyConsumption(handle))


class CtypesReader:
    """A second, independent NVML client: plain ctypes (used where pynvml is missing)."""

    name = "ctypes"

    def __init__(self, library):
        self.lib = ctypes.CDLL(library)
        self.lib.nvmlErrorString.restype = ctypes.c_char_p
        self._check("nvmlInit_v2", self.lib.nvmlInit_v2())

    def _check(self, function, result):
        if result != 0:
            raise RuntimeError(f"{function}: {self.lib.nvmlErrorString(result).decode()}")

    def _handle(self, index):
        handle = ctypes.c_void_p()
        self._check("nvmlDeviceGetHandleByIndex_v2",
                    self.lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(handle)))
        return handle

    def _string(self, function, *args):
        buffer = ctypes.create_string_buffer(96)
        self._check(function, getattr(self.lib, function)(*args, buffer, ctypes.c_uint(96)))
        return buffer.value.decode()

    def driver(self):
        return self._string("nvmlSystemGetDriverVersion")

    def count(self):
        count = ctypes.c_uint()
        self._check("nvmlDeviceGetCount_v2", self.lib.nvmlDeviceGetCount_v2(ctypes.byref(count)))
        return count.value

    def uuid(self, index):
        return self._string("nvmlDeviceGetUUID", self._handle(index))

    def name_of(self, index):
        return self._string("nvmlDeviceGetName", self._handle(index))

    def energy_mj(self, index):
        energy = ctypes.c_ulonglong()
        self._check("nvmlDeviceGetTotalEnergyConsumption",
                    self.lib.nvmlDeviceGetTotalEnergyConsumption(self._handle(index),
                                                                 ctypes.byref(energy)))
        return energy.value


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def open_reference(fake_library):
    if fake_library:
        return CtypesReader(fake_library)
    try:
        return PynvmlReader()
    except ImportError:
        log("note: pynvml (nvidia-ml-py) not importable; reference is a ctypes NVML client")
        return CtypesReader("libnvidia-ml.so.1")


# ---- nvidia-smi ---------------------------------------------------------------------------


def smi_fields():
    """The --query-gpu field names this nvidia-smi knows."""
    try:
        text = subprocess.run(["nvidia-smi", "--help-query-gpu"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    fields = set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('"'):
            for part in line.split(" or "):
                part = part.strip().strip('"')
                if part:
                    fields.add(part)
    return fields


def smi_query(index, fields):
    """One nvidia-smi reading of fields, stamped at the middle of the call."""
    t0 = time.time_ns()
    result = subprocess.run(["nvidia-smi", "-i", str(index), f"--query-gpu={','.join(fields)}",
                             "--format=csv,noheader,nounits"], capture_output=True, text=True,
                            timeout=10)
    t1 = time.time_ns()
    values = [v.strip() for v in result.stdout.strip().split(",")]
    return {"epoch_nanos": (t0 + t1) // 2, **dict(zip(fields, values))}


class SmiPowerSampler:
    """nvidia-smi -lms loop of power fields; rows stamped with nvidia-smi's own timestamps."""

    def __init__(self, index, power_fields, interval_ms, path):
        self.power_fields = power_fields
        self.path = path
        self.file = open(path, "w")
        self.process = subprocess.Popen(
            ["nvidia-smi", "-i", str(index), f"--query-gpu=timestamp,{','.join(power_fields)}",
             "--format=csv,noheader,nounits", f"-lms={interval_ms}"],
            stdout=self.file, stderr=subprocess.DEVNULL)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.file.close()

    def series(self):
        """{field: [(epoch_nanos, watts)]}, skipping rows that do not parse ([N/A] and such)."""
        out = {f: [] for f in self.power_fields}
        with open(self.path) as rows:
            for row in rows:
                parts = [p.strip() for p in row.split(",")]
                if len(parts) != 1 + len(self.power_fields):
                    continue
                try:
                    stamp = datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
                except ValueError:
                    continue
                for field, text in zip(self.power_fields, parts[1:]):
                    try:
                        out[field].append((int(stamp * 1e9), float(text)))
                    except ValueError:
                        pass
        return out


# ---- numbers ------------------------------------------------------------------------------


def interpolate(samples, t):
    """Linear interpolation of [(t, value)] at t; None when t is not inside the samples."""
    times = [s[0] for s in samples]
    i = bisect.bisect_left(times, t)
    if i == 0 or i >= len(samples):
        if i < len(samples) and times[i] == t:
            return float(samples[i][1])
        return None
    (t0, v0), (t1, v1) = samples[i - 1], samples[i]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def step_around(samples, t):
    """The counter step of the sample interval that holds t: the interpolation's uncertainty."""
    times = [s[0] for s in samples]
    i = bisect.bisect_left(times, t)
    if 0 < i < len(samples):
        return samples[i][1] - samples[i - 1][1]
    return None


def integrate(series, t_start, t_end):
    """Trapezoid of [(t_ns, watts)] over [t_start, t_end] in joules; None without coverage."""
    if len(series) < 2 or series[0][0] > t_start or series[-1][0] < t_end:
        return None
    points = [(t_start, interpolate(series, t_start))]
    points += [p for p in series if t_start < p[0] < t_end]
    points.append((t_end, interpolate(series, t_end)))
    return sum((b[0] - a[0]) * 1e-9 * (a[1] + b[1]) / 2 for a, b in zip(points, points[1:]))


def read_ours(path, index):
    samples = []
    with open(path) as rows:
        next(rows, None)  # header
        for row in rows:
            parts = row.strip().split(",")
            if len(parts) == 4 and parts[1] == str(index) and parts[2]:
                samples.append((int(parts[0]), int(parts[2])))
    return samples


def count_rows(path):
    try:
        with open(path) as rows:
            return max(0, sum(1 for _ in rows) - 1)
    except OSError:
        return 0


# ---- load ---------------------------------------------------------------------------------


class MatmulLoad:
    """Back-to-back bf16 matrix products on one GPU, from a thread, until stopped."""

    def __init__(self, torch, device, size):
        self.torch = torch
        self.device = device
        self.a = torch.randn(size, size, device=device, dtype=torch.bfloat16)
        self.b = torch.randn(size, size, device=device, dtype=torch.bfloat16)
        self.c = torch.empty(size, size, device=device, dtype=torch.bfloat16)
        self.size = size
        self.products = 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        torch.matmul(self.a, self.b, out=self.c)
        torch.cuda.synchronize(device)

    def _run(self):
        while not self.stop_flag.is_set():
            for _ in range(16):
                self.torch.matmul(self.a, self.b, out=self.c)
            self.products += 16
            # Keeps the launch queue short, so stopping stops the GPU within milliseconds.
            self.torch.cuda.synchronize(self.device)

    def start(self):
        self.started = time.perf_counter()
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        seconds = time.perf_counter() - self.started
        return 2 * self.size ** 3 * self.products / seconds / 1e12


# ---- main ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--window", type=float, default=20.0, help="measured seconds under load")
    parser.add_argument("--warmup", type=float, default=3.0, help="load seconds before the window")
    parser.add_argument("--interval-ms", type=int, default=100)
    parser.add_argument("--matrix", type=int, default=8192)
    parser.add_argument("--tolerance", type=float, default=0.01)
    parser.add_argument("--fake-library", help="rehearse against the fake libnvidia-ml")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    began = time.perf_counter()

    java = os.path.join(args.bundle, "jre", "bin", "java")
    classpath = ":".join(os.path.join(args.bundle, "lib", j)
                         for j in ("jouleflow-nvml-bindings.jar", "jna.jar"))
    java_cmd = [java, "-Xshare:auto", "-XX:+UseSerialGC", "-cp", classpath]
    env = dict(os.environ)
    if args.fake_library:
        java_cmd.insert(1, f"-Djouleflow.nvml.library={args.fake_library}")
        env["FAKE_NVML_ENERGY_RATE_MW"] = str(FAKE_POWER_MW)
        os.environ["FAKE_NVML_ENERGY_RATE_MW"] = str(FAKE_POWER_MW)  # for the ctypes reader

    # 1. What the bindings see.
    probe = subprocess.run(java_cmd + ["io.jouleflow.nvml.NvmlProbe"], capture_output=True,
                           text=True, env=env, timeout=30)
    with open(os.path.join(args.out, "probe.txt"), "w") as f:
        f.write(probe.stdout + probe.stderr)
    log("== NvmlProbe")
    log((probe.stdout + probe.stderr).rstrip())
    if probe.returncode != 0:
        log(f"FAIL: NvmlProbe exited {probe.returncode}")
        return 1

    reference = open_reference(args.fake_library)
    index = 0

    # 2. The load, on the GPU whose UUID matches NVML index 0 where torch can tell.
    torch = load = None
    tflops = None
    if not args.fake_library:
        os.environ.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
        try:
            import torch as torch_module
            torch = torch_module if torch_module.cuda.is_available() else None
        except ImportError:
            torch = None
        if torch is None:
            log("note: no PyTorch with CUDA here; the window runs without load")
        else:
            device = torch.device("cuda", 0)
            props = torch.cuda.get_device_properties(device)
            cuda_uuid = str(getattr(props, "uuid", ""))
            for i in range(reference.count()):
                if cuda_uuid and cuda_uuid in reference.uuid(i):
                    index = i
            load = MatmulLoad(torch, device, args.matrix)
    gpu = f"{reference.name_of(index)} {reference.uuid(index)} (NVML index {index})"
    log(f"== GPU {gpu}, driver {reference.driver()}, reference {reference.name}")

    # 3. Samplers: ours (the probe) and nvidia-smi's power loop.
    ours_path = os.path.join(args.out, "ours.csv")
    watch_seconds = int(args.warmup + args.window + 10)
    watcher = subprocess.Popen(java_cmd + ["io.jouleflow.nvml.NvmlProbe", "--watch",
                                           str(watch_seconds), "--interval-ms",
                                           str(args.interval_ms), "--out", ours_path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    fields = smi_fields() if shutil.which("nvidia-smi") else set()
    power_fields = [f for f in ("power.draw", "power.draw.instant") if f in fields]
    energy_fields = sorted(f for f in fields if "energy" in f)
    if fields:
        log(f"nvidia-smi power fields: {power_fields}; energy fields: {energy_fields or 'none'}")
    smi = (SmiPowerSampler(index, power_fields, args.interval_ms,
                           os.path.join(args.out, "smi-power.csv")) if power_fields else None)
    deadline = time.perf_counter() + 15
    while count_rows(ours_path) < 2 and watcher.poll() is None and time.perf_counter() < deadline:
        time.sleep(0.05)
    if count_rows(ours_path) < 2:
        log(f"FAIL: NvmlProbe --watch wrote no samples: {watcher.stderr.read().decode()[:300]}")
        return 1

    # 4. The window: load running before, during and after, so both ends are in steady state.
    def point():
        t0 = time.time_ns()
        energy = reference.energy_mj(index)
        t1 = time.time_ns()
        return {"epoch_nanos": (t0 + t1) // 2, "energy_mj": energy}

    smi_point_fields = [f for f in ["power.draw", "power.draw.instant", *energy_fields]
                        if f in fields]
    if load:
        load.start()
    time.sleep(args.warmup)
    start = point()
    smi_start = smi_query(index, smi_point_fields) if smi_point_fields else {}
    time.sleep(args.window - (time.time_ns() - start["epoch_nanos"]) / 1e9)
    end = point()
    smi_end = smi_query(index, smi_point_fields) if smi_point_fields else {}
    time.sleep(2.5 * args.interval_ms / 1000)  # one more probe sample after the end
    if load:
        tflops = load.stop()
    watcher.terminate()
    watcher.wait(timeout=10)
    if smi:
        smi.stop()

    # 5. Compare.
    window_s = (end["epoch_nanos"] - start["epoch_nanos"]) / 1e9
    ours = read_ours(ours_path, index)
    ours_start = interpolate(ours, start["epoch_nanos"])
    ours_end = interpolate(ours, end["epoch_nanos"])
    ref_j = (end["energy_mj"] - start["energy_mj"]) / 1e3
    rows = [("pynvml counter (reference)" if reference.name == "pynvml"
             else f"{reference.name} counter (reference)", ref_j)]
    ours_j = None
    if ours_start is not None and ours_end is not None:
        ours_j = (ours_end - ours_start) / 1e3
        rows.insert(0, ("jouleflow NvmlProbe, interpolated", ours_j))
    steps = [step_around(ours, start["epoch_nanos"]), step_around(ours, end["epoch_nanos"])]
    known_steps = [abs(s) for s in steps if s is not None]
    interval_j = sum(known_steps) / len(known_steps) / 1e3 if known_steps else 0.0
    smi_series = smi.series() if smi else {}
    for field in power_fields:
        integrated = integrate(smi_series.get(field, []), start["epoch_nanos"], end["epoch_nanos"])
        rows.append((f"nvidia-smi {field} integrated", integrated))
    for field in energy_fields:
        try:
            rows.append((f"nvidia-smi {field} delta",
                         float(smi_end[field]) - float(smi_start[field])))
        except (KeyError, ValueError):
            rows.append((f"nvidia-smi {field} delta", None))

    lines = [f"GPU: {gpu}",
             f"window: {window_s:.3f} s under {'bf16 matmul load' if load else 'no load'}"
             + (f" ({tflops:.0f} TFLOP/s)" if tflops else "")
             + f"; mean power by reference {ref_j / window_s:.1f} W",
             f"our samples: {len(ours)} at {args.interval_ms} ms; energy per sample interval at"
             f" the window ends ~{interval_j:.2f} J ({100 * interval_j / ref_j:.3f} % of the window),"
             " which bounds the interpolation error where the counter updates faster than we sample"
             if ref_j > 0 else "",
             "",
             f"{'method':44} {'joules':>12} {'vs reference':>13}"]
    for name, joules in rows:
        if joules is None:
            lines.append(f"{name:44} {'n/a':>12} {'':>13}")
        else:
            diff = (joules - ref_j) / ref_j * 100 if ref_j else float("nan")
            lines.append(f"{name:44} {joules:12.2f} {diff:+12.3f}%")
    for label, sample in (("start", smi_start), ("end", smi_end)):
        if sample:
            lines.append(f"nvidia-smi at window {label}: "
                         + ", ".join(f"{k}={v}" for k, v in sample.items() if k != "epoch_nanos"))
    if ours_j is None:
        verdict = "FAIL: our samples do not cover the window"
    elif ref_j <= 0:
        verdict = "FAIL: the reference counter did not advance"
    else:
        relative = abs(ours_j - ref_j) / ref_j
        verdict = (f"{'PASS' if relative < args.tolerance else 'FAIL'}: ours vs "
                   f"{reference.name} {100 * relative:.3f} % (limit {100 * args.tolerance:g} %)")
    lines.append(verdict)
    lines.append(f"total check time {time.perf_counter() - began:.1f} s")
    report = "\n".join(line for line in lines)
    log("== result")
    log(report)
    with open(os.path.join(args.out, "result.txt"), "w") as f:
        f.write(report + "\n")
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump({"gpu": gpu, "window_s": window_s, "reference": reference.name,
                   "start": start, "end": end, "rows": rows, "verdict": verdict,
                   "smi_start": smi_start, "smi_end": smi_end, "tflops": tflops}, f, indent=2)
    return 0 if verdict.startswith("PASS") else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # one line for the reader of the device output
        print(f"ERROR: could not run the check: {type(error).__name__}: {error}", flush=True)
        raise SystemExit(2)
