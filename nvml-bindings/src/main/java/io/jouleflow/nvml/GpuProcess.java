package io.jouleflow.nvml;

import java.util.OptionalLong;

/**
 * A process holding a compute context on a GPU ({@code nvmlProcessInfo_t}): who else shares the
 * GPU, and so shares its energy counter.
 *
 * @param pid the process id in NVML's (the host's) PID namespace
 * @param usedGpuMemoryBytes device memory used, empty where NVML cannot tell (Windows WDDM, MIG
 *     without privileges)
 * @param gpuInstanceId the MIG GPU instance, or {@code 0xFFFFFFFF} (-1) outside MIG
 * @param computeInstanceId the MIG compute instance, or {@code 0xFFFFFFFF} (-1) outside MIG
 */
public record GpuProcess(
    long pid, OptionalLong usedGpuMemoryBytes, int gpuInstanceId, int computeInstanceId) {

  /** True when the process runs inside a MIG instance rather than on the whole GPU. */
  public boolean inMigInstance() {
    return gpuInstanceId != -1;
  }
}
