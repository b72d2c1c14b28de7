package io.jouleflow.predictor.model;

/** A model set that cannot be read or written; the message is one line that says which and why. */
public final class ModelSetException extends RuntimeException {

  public ModelSetException(String message) {
    super(message);
  }

  public ModelSetException(String message, Throwable cause) {
    super(message, cause);
  }
}
