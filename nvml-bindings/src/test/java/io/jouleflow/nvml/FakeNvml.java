package io.jouleflow.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The control functions of the fake libnvidia-ml built from {@code src/test/native/fake_nvml.c}.
 * Loaded from the same file as {@link Nvml} loads, so both share the library's state.
 */
public interface FakeNvml extends Library {

  FakeNvml INSTANCE = Native.load(System.getProperty(Nvml.LIBRARY_PROPERTY), FakeNvml.class);

  int NOT_SUPPORTED = 3;
  int FUNCTION_NOT_FOUND = 13;
  int GPU_IS_LOST = 15;
  int DRIVER_NOT_LOADED = 9;

  void fake_nvml_reset();

  void fake_nvml_set_device_count(int count);

  void fake_nvml_set_init_result(int code);

  void fake_nvml_set_error(String function, int code);

  long fake_nvml_call_count(String function);

  int fake_nvml_init_refcount();

  int fake_nvml_set_identity(int index, String name, String uuid);

  int fake_nvml_set_energy(
      int index, long millijoules, long stepPerReadMillijoules, long rateMilliwatts, int supported);

  int fake_nvml_set_power(int index, int milliwatts, int supported);

  int fake_nvml_set_instant_power(int index, int milliwatts, int fieldResult);

  int fake_nvml_set_power_limit(int index, int milliwatts);

  int fake_nvml_set_utilization(int index, int gpu, int memory);

  int fake_nvml_add_process(
      int index, int pid, long usedGpuMemory, int gpuInstanceId, int computeInstanceId);
}
