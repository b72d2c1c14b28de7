package io.jouleflow.nvml;

/**
 * Byte layouts of the NVML structs read through raw native memory, as declared in NVIDIA's
 * {@code nvml.h} for x86-64 and aarch64 Linux (natural alignment, LP64). Explicit offsets keep the
 * ABI visible in one place; the test library {@code fake_nvml.c} asserts the same numbers.
 */
final class NativeLayout {

  /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}: enough for every device name. */
  static final int DEVICE_NAME_BUFFER = 96;

  /** {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}: enough for every UUID. */
  static final int DEVICE_UUID_BUFFER = 96;

  /** {@code NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE} and {@code ..._NVML_VERSION_...}. */
  static final int VERSION_BUFFER = 80;

  /**
   * {@code nvmlUtilization_t}: {@code unsigned int gpu; unsigned int memory;}.
   */
  static final int UTILIZATION_SIZE = 8;
  static final int UTILIZATION_GPU = 0;
  static final int UTILIZATION_MEMORY = 4;

  /**
   * {@code nvmlFieldValue_t}: {@code unsigned int fieldId; unsigned int scopeId; long long
   * timestamp; long long latencyUsec; nvmlValueType_t valueType; nvmlReturn_t nvmlReturn;
   * nvmlValue_t value;} where {@code nvmlValue_t} is an 8-byte union.
   */
  static final int FIELD_VALUE_SIZE = 40;
  static final int FIELD_VALUE_FIELD_ID = 0;
  static final int FIELD_VALUE_SCOPE_ID = 4;
  static final int FIELD_VALUE_TIMESTAMP = 8;
  static final int FIELD_VALUE_LATENCY = 16;
  static final int FIELD_VALUE_VALUE_TYPE = 24;
  static final int FIELD_VALUE_RETURN = 28;
  static final int FIELD_VALUE_VALUE = 32;

  /**
   * {@code nvmlProcessInfo_t} (the v2 layout used by {@code ..._v3} process queries): {@code
   * unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId; unsigned int
   * computeInstanceId;}.
   */
  static final int PROCESS_INFO_SIZE = 24;
  static final int PROCESS_INFO_PID = 0;
  static final int PROCESS_INFO_USED_GPU_MEMORY = 8;
  static final int PROCESS_INFO_GPU_INSTANCE_ID = 16;
  static final int PROCESS_INFO_COMPUTE_INSTANCE_ID = 20;

  /** {@code NVML_VALUE_NOT_AVAILABLE}: an unsigned long long of all ones. */
  static final long VALUE_NOT_AVAILABLE = -1L;

  private NativeLayout() {}
}
