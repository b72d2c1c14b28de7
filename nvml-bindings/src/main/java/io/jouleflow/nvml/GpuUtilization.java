package io.jouleflow.nvml;

/**
 * {@code nvmlUtilization_t}: percent of the last sample period (1/6 s to 1 s, by product) during
 * which a kernel was running ({@code gpuPercent}) or device memory was read or written ({@code
 * memoryPercent}). Coarse, but it tells whether a GPU was busy during an attribution window.
 */
public record GpuUtilization(int gpuPercent, int memoryPercent) {}
