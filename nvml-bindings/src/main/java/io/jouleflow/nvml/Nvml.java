package io.jouleflow.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An initialised NVML session: the entry point to the GPUs of this host.
 *
 * <p>{@link #open()} loads libnvidia-ml and calls {@code nvmlInit_v2}; {@link #close()} calls
 * {@code nvmlShutdown}. NVML counts initialisations, so several sessions may be open at once (one
 * per meter, say) and each closes its own. Device handles die with the last open session.
 *
 * <p>Thread safety: NVML is thread-safe, and this class and {@link NvmlDevice} hold no mutable
 * state besides the closed flag, so any thread may call any method of an open session.
 *
 * <p>Errors: a failed call throws {@link NvmlException} with NVML's own error text; a capability
 * the GPU or driver lacks ({@code NVML_ERROR_NOT_SUPPORTED}, or a function missing from an older
 * driver) is an empty optional, not an exception.
 */
public final class Nvml implements AutoCloseable {

  /** System property naming the library to load (an absolute path); tests point it at a fake. */
  public static final String LIBRARY_PROPERTY = "jouleflow.nvml.library";

  /**
   * Tried in order when the property is unset: the soname the driver installs (there is often no
   * unversioned {@code libnvidia-ml.so} without the CUDA toolkit), then JNA's search by name.
   */
  public static final List<String> DEFAULT_LIBRARIES = List.of("libnvidia-ml.so.1", "nvidia-ml");

  /** Functions without which a session is useless; checked at open so the reason is precise. */
  private static final List<String> REQUIRED_FUNCTIONS =
      List.of(
          "nvmlInit_v2",
          "nvmlShutdown",
          "nvmlErrorString",
          "nvmlSystemGetDriverVersion",
          "nvmlSystemGetNVMLVersion",
          "nvmlDeviceGetCount_v2",
          "nvmlDeviceGetHandleByIndex_v2",
          "nvmlDeviceGetName",
          "nvmlDeviceGetUUID",
          "nvmlDeviceGetPowerUsage",
          "nvmlDeviceGetPowerManagementLimit",
          "nvmlDeviceGetUtilizationRates");

  /** Functions newer than some drivers still in use; their absence is a missing capability. */
  private static final List<String> OPTIONAL_FUNCTIONS =
      List.of(
          "nvmlDeviceGetTotalEnergyConsumption",
          "nvmlDeviceGetFieldValues",
          "nvmlDeviceGetComputeRunningProcesses_v3");

  private final NvmlLibrary library;
  private final String libraryName;
  private final Set<String> missingFunctions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Nvml(NvmlLibrary library, String libraryName, Set<String> missingFunctions) {
    this.library = library;
    this.libraryName = libraryName;
    this.missingFunctions = missingFunctions;
  }

  /**
   * Opens NVML from the library named by {@value #LIBRARY_PROPERTY}, else from {@link
   * #DEFAULT_LIBRARIES}.
   *
   * @throws NvmlUnavailableException with a one-line reason when no usable NVML is present
   */
  public static Nvml open() throws NvmlUnavailableException {
    String override = System.getProperty(LIBRARY_PROPERTY);
    if (override != null && !override.isBlank()) {
      return open(override.trim());
    }
    NvmlUnavailableException notFound = null;
    for (String candidate : DEFAULT_LIBRARIES) {
      try {
        return open(candidate);
      } catch (NvmlUnavailableException e) {
        if (e.reason() != NvmlUnavailableException.Reason.LIBRARY_NOT_FOUND) {
          throw e;
        }
        notFound = notFound == null ? e : notFound;
      }
    }
    throw new NvmlUnavailableException(
        NvmlUnavailableException.Reason.LIBRARY_NOT_FOUND,
        "NVML not available: libnvidia-ml not found (tried "
            + String.join(", ", DEFAULT_LIBRARIES)
            + "; is the NVIDIA driver installed and visible here?)",
        null,
        notFound);
  }

  /**
   * Opens NVML from one library: a name JNA searches for ({@code nvidia-ml}, {@code
   * libnvidia-ml.so.1}) or an absolute path.
   */
  public static Nvml open(String library) throws NvmlUnavailableException {
    NativeLibrary nativeLibrary;
    try {
      nativeLibrary = NativeLibrary.getInstance(library);
    } catch (UnsatisfiedLinkError e) {
      throw new NvmlUnavailableException(
          NvmlUnavailableException.Reason.LIBRARY_NOT_FOUND,
          "NVML not available: " + library + " not found (" + firstLine(e.getMessage()) + ")",
          null,
          e);
    } catch (LinkageError e) {
      throw nativeAccessFailed(e);
    }
    Set<String> missing = new HashSet<>();
    for (String function : REQUIRED_FUNCTIONS) {
      if (!exports(nativeLibrary, function)) {
        throw new NvmlUnavailableException(
            NvmlUnavailableException.Reason.SYMBOL_MISSING,
            "NVML not available: "
                + library
                + " lacks "
                + function
                + " (driver too old, or not libnvidia-ml)");
      }
    }
    for (String function : OPTIONAL_FUNCTIONS) {
      if (!exports(nativeLibrary, function)) {
        missing.add(function);
      }
    }
    NvmlLibrary binding;
    try {
      binding = Native.load(library, NvmlLibrary.class);
    } catch (LinkageError e) {
      throw nativeAccessFailed(e);
    }
    int result = binding.nvmlInit_v2();
    if (result != NvmlReturn.SUCCESS.code()) {
      NvmlReturn code = NvmlReturn.fromCode(result);
      throw new NvmlUnavailableException(
          NvmlUnavailableException.Reason.INIT_FAILED,
          "NVML not available: nvmlInit_v2 failed: "
              + binding.nvmlErrorString(result)
              + " ("
              + (code == NvmlReturn.UNRECOGNIZED ? "nvmlReturn_t " + result : code.symbol())
              + ")",
          code,
          null);
    }
    return new Nvml(binding, library, Set.copyOf(missing));
  }

  private static boolean exports(NativeLibrary nativeLibrary, String function) {
    try {
      nativeLibrary.getFunction(function);
      return true;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  private static NvmlUnavailableException nativeAccessFailed(LinkageError e) {
    return new NvmlUnavailableException(
        NvmlUnavailableException.Reason.NATIVE_ACCESS_FAILED,
        "NVML not available: JNA could not load its native support ("
            + firstLine(e.getMessage())
            + ")",
        null,
        e);
  }

  private static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return "no detail";
    }
    String line = message.strip().lines().findFirst().orElse("no detail");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** The library this session loaded: the property's path or the default name that worked. */
  public String library() {
    return libraryName;
  }

  /** The driver version, e.g. {@code 580.159.04}. */
  public String driverVersion() throws NvmlException {
    byte[] buffer = new byte[NativeLayout.VERSION_BUFFER];
    check("nvmlSystemGetDriverVersion", api().nvmlSystemGetDriverVersion(buffer, buffer.length));
    return cString(buffer);
  }

  /** The NVML library version, e.g. {@code 13.580.159.04}. */
  public String nvmlVersion() throws NvmlException {
    byte[] buffer = new byte[NativeLayout.VERSION_BUFFER];
    check("nvmlSystemGetNVMLVersion", api().nvmlSystemGetNVMLVersion(buffer, buffer.length));
    return cString(buffer);
  }

  /** Number of GPUs on the host; NVML ignores {@code CUDA_VISIBLE_DEVICES}. */
  public int deviceCount() throws NvmlException {
    IntByReference count = new IntByReference();
    check("nvmlDeviceGetCount_v2", api().nvmlDeviceGetCount_v2(count));
    return count.getValue();
  }

  /** The GPU at an NVML index (0 to {@link #deviceCount()} - 1, PCI bus order). */
  public NvmlDevice device(int index) throws NvmlException {
    PointerByReference handle = new PointerByReference();
    check("nvmlDeviceGetHandleByIndex_v2", api().nvmlDeviceGetHandleByIndex_v2(index, handle));
    return new NvmlDevice(this, index, handle.getValue());
  }

  /** All GPUs, by index. */
  public List<NvmlDevice> devices() throws NvmlException {
    int count = deviceCount();
    List<NvmlDevice> devices = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      devices.add(device(index));
    }
    return List.copyOf(devices);
  }

  /** Calls {@code nvmlShutdown} once; later calls do nothing. Its result is not actionable. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      library.nvmlShutdown();
    }
  }

  NvmlLibrary api() {
    if (closed.get()) {
      throw new IllegalStateException("NVML session is closed");
    }
    return library;
  }

  /** False when the loaded driver lacks an optional function (see {@link #OPTIONAL_FUNCTIONS}). */
  boolean hasFunction(String function) {
    return !missingFunctions.contains(function);
  }

  void check(String function, int result) throws NvmlException {
    if (result != NvmlReturn.SUCCESS.code()) {
      throw failure(function, result);
    }
  }

  NvmlException failure(String function, int result) {
    return new NvmlException(function, result, library.nvmlErrorString(result));
  }

  static String cString(byte[] buffer) {
    int length = 0;
    while (length < buffer.length && buffer[length] != 0) {
      length++;
    }
    return new String(buffer, 0, length, StandardCharsets.UTF_8);
  }
}
