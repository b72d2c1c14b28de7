package io.jouleflow.predictor.store;

/**
 * The sample store could not be opened, read or written. The message is one line naming the store
 * and the reason, e.g. {@code cannot open sample store jdbc:sqlite:/ro/x.db: attempt to write a
 * readonly database}, fit to print to a user as it is.
 */
public final class SampleStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean badInput;

  public SampleStoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public SampleStoreException(String message) {
    this(message, null, false);
  }

  private SampleStoreException(String message, Throwable cause, boolean badInput) {
    super(message, cause);
    this.badInput = badInput;
  }

  /** A failure caused by what the caller named: see {@link #badInput()}. */
  static SampleStoreException badInput(String message, Throwable cause) {
    return new SampleStoreException(message, cause, true);
  }

  /**
   * Whether the caller named something unusable — a URL that is no JDBC URL or that no driver
   * takes, an export that is missing or malformed — rather than the store failing at run time (a
   * database that cannot be reached or written): the launcher's exit 2, not 1.
   */
  public boolean badInput() {
    return badInput;
  }
}
