package io.jouleflow.meters.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.jouleflow.nvml.Nvml;

/**
 * Control functions of the fake libnvidia-ml ({@code nvml-bindings/src/test/native/fake_nvml.c},
 * built into {@code target/native} by this module's pom). Loaded from the same file as {@link
 * Nvml} loads, so both share its state.
 */
interface FakeNvmlLibrary extends Library {

  FakeNvmlLibrary FAKE = Native.load(System.getProperty(Nvml.LIBRARY_PROPERTY), FakeNvmlLibrary.class);

  int NOT_SUPPORTED = 3;
  int DRIVER_NOT_LOADED = 9;
  int GPU_IS_LOST = 15;

  void fake_nvml_reset();

  void fake_nvml_set_device_count(int count);

  void fake_nvml_set_init_result(int code);

  void fake_nvml_set_error(String function, int code);

  int fake_nvml_init_refcount();

  int fake_nvml_set_identity(int index, String name, String uuid);

  int fake_nvml_set_energy(
      int index, long millijoules, long stepPerReadMillijoules, long rateMilliwatts, int supported);

  int fake_nvml_set_power(int index, int milliwatts, int supported);

  int fake_nvml_set_instant_power(int index, int milliwatts, int fieldResult);
}
