package io.jouleflow.predictor.store;

/**
 * The sample store could not be opened, read or written. The message is one line naming the store
 * and the reason, e.g. {@code cannot open sample store jdbc:sqlite:/ro/x.db: attempt to write a
 * readonly database}, fit to print to a user as it is.
 */
public final class SampleStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SampleStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public SampleStoreException(String message) {
    super(message);
  }
}
