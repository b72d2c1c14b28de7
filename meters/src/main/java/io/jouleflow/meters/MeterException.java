package io.jouleflow.meters;

/** A meter could not be opened or read; the message is one line a user can act on. */
public class MeterException extends Exception {
  public MeterException(String message) {
    super(message);
  }

  public MeterException(String message, Throwable cause) {
    super(message, cause);
  }
}
