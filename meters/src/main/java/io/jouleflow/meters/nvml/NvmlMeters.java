package io.jouleflow.meters.nvml;

import io.jouleflow.meters.MeterException;
import io.jouleflow.nvml.Nvml;
import io.jouleflow.nvml.NvmlException;
import io.jouleflow.nvml.NvmlUnavailableException;
import java.util.ArrayList;
import java.util.List;

/** Opens one {@link NvmlEnergyMeter} per NVIDIA GPU of this host. */
public final class NvmlMeters {

  private NvmlMeters() {}

  /**
   * Opens NVML from the default location (or the {@code jouleflow.nvml.library} property) and one
   * meter per GPU. An empty list means NVML works but sees no GPU.
   *
   * @throws MeterException with NVML's one-line reason when it is unavailable or a GPU fails
   */
  public static List<NvmlEnergyMeter> openAll() throws MeterException {
    return openAll(Nvml::open);
  }

  /** As {@link #openAll()}, from one library: a name or an absolute path. */
  public static List<NvmlEnergyMeter> openAll(String library) throws MeterException {
    return openAll(() -> Nvml.open(library));
  }

  private interface SessionOpener {
    Nvml open() throws NvmlUnavailableException;
  }

  private static List<NvmlEnergyMeter> openAll(SessionOpener opener) throws MeterException {
    List<NvmlEnergyMeter> meters = new ArrayList<>();
    // Each meter owns a session of its own (NVML counts inits), so closing one meter never
    // invalidates another; this one only enumerates.
    try (Nvml enumeration = opener.open()) {
      int count = enumeration.deviceCount();
      for (int index = 0; index < count; index++) {
        Nvml session = opener.open();
        try {
          meters.add(NvmlEnergyMeter.open(session, index));
        } catch (MeterException e) {
          session.close();
          throw e;
        }
      }
      return List.copyOf(meters);
    } catch (NvmlUnavailableException e) {
      meters.forEach(NvmlEnergyMeter::close);
      throw new MeterException(e.getMessage(), e);
    } catch (NvmlException e) {
      meters.forEach(NvmlEnergyMeter::close);
      throw new MeterException("NVML: " + e.getMessage(), e);
    } catch (MeterException | RuntimeException e) {
      meters.forEach(NvmlEnergyMeter::close);
      throw e;
    }
  }
}
