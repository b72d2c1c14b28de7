package io.jouleflow.nvml;

/**
 * What identifies a GPU: its NVML index (enumeration order, may change across reboots), its
 * product name and its UUID (stable; the {@code hw.id} jouleflow exports).
 */
public record NvmlDeviceInfo(int index, String name, String uuid) {}
