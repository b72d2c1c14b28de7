package io.jouleflow.launcher.demo;

/** A failure of the demo the code foresaw: its message is the whole one-line reason (exit 1). */
public final class DemoFailure extends RuntimeException {
  public DemoFailure(String message) {
    super(message);
  }

  public DemoFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
