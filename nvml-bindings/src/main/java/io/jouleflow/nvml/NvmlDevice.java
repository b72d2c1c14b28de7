package io.jouleflow.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One GPU of an open {@link Nvml} session. Queries the GPU may not support return empty optionals
 * (see {@link NvmlReturn#isCapabilityMissing()}); other failures throw {@link NvmlException}.
 *
 * <p>Thread-safe: it holds only the immutable handle; valid while its session is open.
 */
public final class NvmlDevice {

  private static final String ENERGY = "nvmlDeviceGetTotalEnergyConsumption";
  private static final String FIELD_VALUES = "nvmlDeviceGetFieldValues";
  private static final String PROCESSES = "nvmlDeviceGetComputeRunningProcesses_v3";

  /** Process lists can grow between the sizing call and the filling call; retry a few times. */
  private static final int PROCESS_QUERY_ATTEMPTS = 4;

  private final Nvml nvml;
  private final int index;
  private final Pointer handle;

  NvmlDevice(Nvml nvml, int index, Pointer handle) {
    this.nvml = nvml;
    this.index = index;
    this.handle = handle;
  }

  /** The NVML index this handle was obtained with. */
  public int index() {
    return index;
  }

  /** The product name, e.g. {@code NVIDIA H100 80GB HBM3}. */
  public String name() throws NvmlException {
    byte[] buffer = new byte[NativeLayout.DEVICE_NAME_BUFFER];
    nvml.check("nvmlDeviceGetName", nvml.api().nvmlDeviceGetName(handle, buffer, buffer.length));
    return Nvml.cString(buffer);
  }

  /** The globally unique, stable id, e.g. {@code GPU-8f6a...}: what jouleflow exports as hw.id. */
  public String uuid() throws NvmlException {
    byte[] buffer = new byte[NativeLayout.DEVICE_UUID_BUFFER];
    nvml.check("nvmlDeviceGetUUID", nvml.api().nvmlDeviceGetUUID(handle, buffer, buffer.length));
    return Nvml.cString(buffer);
  }

  public NvmlDeviceInfo info() throws NvmlException {
    return new NvmlDeviceInfo(index, name(), uuid());
  }

  /**
   * The energy counter: millijoules since the driver was loaded. Empty before Volta, where only
   * power can be read.
   */
  public OptionalLong totalEnergyConsumptionMillijoules() throws NvmlException {
    if (!nvml.hasFunction(ENERGY)) {
      return OptionalLong.empty();
    }
    LongByReference energy = new LongByReference();
    int result = nvml.api().nvmlDeviceGetTotalEnergyConsumption(handle, energy);
    return capabilityOrValue(ENERGY, result)
        ? OptionalLong.of(energy.getValue())
        : OptionalLong.empty();
  }

  /** True when {@link #totalEnergyConsumptionMillijoules()} has a value on this GPU. */
  public boolean supportsTotalEnergyConsumption() throws NvmlException {
    return totalEnergyConsumptionMillijoules().isPresent();
  }

  /**
   * Board power in milliwatts. On Ampere and newer (except GA100) this is a one-second average;
   * {@link #instantPowerMilliwatts()} is the unaveraged reading.
   */
  public OptionalLong powerUsageMilliwatts() throws NvmlException {
    IntByReference power = new IntByReference();
    int result = nvml.api().nvmlDeviceGetPowerUsage(handle, power);
    return capabilityOrValue("nvmlDeviceGetPowerUsage", result)
        ? OptionalLong.of(Integer.toUnsignedLong(power.getValue()))
        : OptionalLong.empty();
  }

  /** Current board power in milliwatts ({@link NvmlField#POWER_INSTANT}), where supported. */
  public OptionalLong instantPowerMilliwatts() throws NvmlException {
    if (!nvml.hasFunction(FIELD_VALUES)) {
      return OptionalLong.empty();
    }
    List<NvmlFieldValue> values;
    try {
      values = fieldValues(NvmlField.POWER_INSTANT);
    } catch (NvmlException e) {
      if (e.result().isCapabilityMissing()) {
        return OptionalLong.empty();
      }
      throw e;
    }
    NvmlFieldValue value = values.get(0);
    if (value.succeeded()) {
      return OptionalLong.of(value.asLong());
    }
    if (value.result().isCapabilityMissing()) {
      return OptionalLong.empty();
    }
    throw nvml.failure(FIELD_VALUES + "(NVML_FI_DEV_POWER_INSTANT)", value.returnCode());
  }

  /** True when {@link #instantPowerMilliwatts()} has a value on this GPU. */
  public boolean supportsInstantPower() throws NvmlException {
    return instantPowerMilliwatts().isPresent();
  }

  /** The power cap the driver enforces, in milliwatts. */
  public OptionalLong powerManagementLimitMilliwatts() throws NvmlException {
    IntByReference limit = new IntByReference();
    int result = nvml.api().nvmlDeviceGetPowerManagementLimit(handle, limit);
    return capabilityOrValue("nvmlDeviceGetPowerManagementLimit", result)
        ? OptionalLong.of(Integer.toUnsignedLong(limit.getValue()))
        : OptionalLong.empty();
  }

  public Optional<GpuUtilization> utilization() throws NvmlException {
    Memory buffer = new Memory(NativeLayout.UTILIZATION_SIZE);
    buffer.clear();
    int result = nvml.api().nvmlDeviceGetUtilizationRates(handle, buffer);
    if (!capabilityOrValue("nvmlDeviceGetUtilizationRates", result)) {
      return Optional.empty();
    }
    return Optional.of(
        new GpuUtilization(
            buffer.getInt(NativeLayout.UTILIZATION_GPU),
            buffer.getInt(NativeLayout.UTILIZATION_MEMORY)));
  }

  /**
   * Reads several fields in one call. The call itself throws on failure (FUNCTION_NOT_FOUND where
   * the driver lacks it); each returned value carries its own result.
   */
  public List<NvmlFieldValue> fieldValues(int... fieldIds) throws NvmlException {
    if (fieldIds.length == 0) {
      return List.of();
    }
    if (!nvml.hasFunction(FIELD_VALUES)) {
      throw nvml.failure(FIELD_VALUES, NvmlReturn.FUNCTION_NOT_FOUND.code());
    }
    Memory buffer = new Memory((long) fieldIds.length * NativeLayout.FIELD_VALUE_SIZE);
    buffer.clear();
    for (int i = 0; i < fieldIds.length; i++) {
      long base = (long) i * NativeLayout.FIELD_VALUE_SIZE;
      buffer.setInt(base + NativeLayout.FIELD_VALUE_FIELD_ID, fieldIds[i]);
    }
    nvml.check(FIELD_VALUES, nvml.api().nvmlDeviceGetFieldValues(handle, fieldIds.length, buffer));
    List<NvmlFieldValue> values = new ArrayList<>(fieldIds.length);
    for (int i = 0; i < fieldIds.length; i++) {
      long base = (long) i * NativeLayout.FIELD_VALUE_SIZE;
      values.add(
          new NvmlFieldValue(
              buffer.getInt(base + NativeLayout.FIELD_VALUE_FIELD_ID),
              buffer.getInt(base + NativeLayout.FIELD_VALUE_SCOPE_ID),
              buffer.getLong(base + NativeLayout.FIELD_VALUE_TIMESTAMP),
              buffer.getLong(base + NativeLayout.FIELD_VALUE_LATENCY),
              buffer.getInt(base + NativeLayout.FIELD_VALUE_RETURN),
              NvmlValueType.fromCode(buffer.getInt(base + NativeLayout.FIELD_VALUE_VALUE_TYPE)),
              buffer.getLong(base + NativeLayout.FIELD_VALUE_VALUE)));
    }
    return List.copyOf(values);
  }

  /**
   * Processes with a compute context on this GPU: who else's work lands in its energy counter.
   * Empty where the driver cannot list them.
   */
  public Optional<List<GpuProcess>> computeProcesses() throws NvmlException {
    if (!nvml.hasFunction(PROCESSES)) {
      return Optional.empty();
    }
    int capacity = 16;
    for (int attempt = 0; attempt < PROCESS_QUERY_ATTEMPTS; attempt++) {
      Memory buffer = new Memory((long) capacity * NativeLayout.PROCESS_INFO_SIZE);
      buffer.clear();
      IntByReference count = new IntByReference(capacity);
      int result = nvml.api().nvmlDeviceGetComputeRunningProcesses_v3(handle, count, buffer);
      if (result == NvmlReturn.INSUFFICIENT_SIZE.code()) {
        // Room for the processes that appeared meanwhile, too.
        capacity = Math.max(capacity, count.getValue()) * 2;
        continue;
      }
      if (!capabilityOrValue(PROCESSES, result)) {
        return Optional.empty();
      }
      int found = Math.min(count.getValue(), capacity);
      List<GpuProcess> processes = new ArrayList<>(found);
      for (int i = 0; i < found; i++) {
        long base = (long) i * NativeLayout.PROCESS_INFO_SIZE;
        long used = buffer.getLong(base + NativeLayout.PROCESS_INFO_USED_GPU_MEMORY);
        processes.add(
            new GpuProcess(
                Integer.toUnsignedLong(buffer.getInt(base + NativeLayout.PROCESS_INFO_PID)),
                used == NativeLayout.VALUE_NOT_AVAILABLE
                    ? OptionalLong.empty()
                    : OptionalLong.of(used),
                buffer.getInt(base + NativeLayout.PROCESS_INFO_GPU_INSTANCE_ID),
                buffer.getInt(base + NativeLayout.PROCESS_INFO_COMPUTE_INSTANCE_ID)));
      }
      return Optional.of(List.copyOf(processes));
    }
    throw nvml.failure(PROCESSES, NvmlReturn.INSUFFICIENT_SIZE.code());
  }

  /** True on success, false when the capability is missing; throws on any other result. */
  private boolean capabilityOrValue(String function, int result) throws NvmlException {
    if (result == NvmlReturn.SUCCESS.code()) {
      return true;
    }
    if (NvmlReturn.fromCode(result).isCapabilityMissing()) {
      return false;
    }
    throw nvml.failure(function, result);
  }

  @Override
  public String toString() {
    return "NvmlDevice[" + index + "]";
  }
}
