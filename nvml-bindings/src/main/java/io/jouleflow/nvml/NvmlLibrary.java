package io.jouleflow.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The raw JNA mapping of the NVML functions jouleflow uses, one method per C function with the
 * signature of NVIDIA's {@code nvml.h}. Every method returns an {@code nvmlReturn_t} code.
 *
 * <p>Use {@link Nvml} instead: it loads the library, checks return codes and decodes structs.
 * Structs are passed as {@link Pointer}s to native memory laid out as {@link NativeLayout}
 * describes; an {@code nvmlDevice_t} is an opaque {@link Pointer}.
 */
public interface NvmlLibrary extends Library {

  int nvmlInit_v2();

  int nvmlShutdown();

  /** Static, human-readable text for a return code; callable before {@code nvmlInit_v2}. */
  String nvmlErrorString(int result);

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlSystemGetNVMLVersion(byte[] version, int length);

  int nvmlDeviceGetCount_v2(IntByReference deviceCount);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  /** Millijoules since the driver was last loaded (Volta and newer). */
  int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference energy);

  /** Milliwatts; on Ampere and newer (except GA100) a one-second average. */
  int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

  /** Milliwatts. */
  int nvmlDeviceGetPowerManagementLimit(Pointer device, IntByReference limit);

  /** Fills an {@code nvmlUtilization_t}. */
  int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

  /** Fills {@code valuesCount} {@code nvmlFieldValue_t}s whose {@code fieldId} the caller set. */
  int nvmlDeviceGetFieldValues(Pointer device, int valuesCount, Pointer values);

  /**
   * Fills up to {@code *infoCount} {@code nvmlProcessInfo_t}s; answers
   * {@code NVML_ERROR_INSUFFICIENT_SIZE} with the needed count when the buffer is too small.
   */
  int nvmlDeviceGetComputeRunningProcesses_v3(
      Pointer device, IntByReference infoCount, Pointer infos);
}
