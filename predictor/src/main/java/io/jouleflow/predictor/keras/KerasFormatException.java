package io.jouleflow.predictor.keras;

/**
 * A Keras model file this importer cannot use: not JSON, not a Keras model, inconsistent links, or
 * shapes it cannot infer. The message is one line that says what is wrong and, where the user can
 * do something about it, what to do ({@code input shape is open ([null, null, null, 3]); pass
 * --input HxWxC}). Unchecked: a caller (the CLI) reports it as it is.
 */
public final class KerasFormatException extends RuntimeException {

  public KerasFormatException(String message) {
    super(message);
  }

  public KerasFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
